// Feature flag evaluations as span events, in the shape of the OpenTelemetry feature_flag
// semantic conventions: an event "feature_flag.evaluation" with feature_flag.key,
// feature_flag.result.value and feature_flag.provider.name. Header-only; nothing is recorded on
// a span that is not recording.
#pragma once

#include <string_view>

#include "tome/telemetry/trace/span.hpp"

namespace tome::telemetry::trace {

/// Adds the evaluation of boolean flag `key` (result `value`, from `provider`) to `span`.
inline void AddFeatureFlagEvaluation(Span& span, std::string_view key, bool value,
                                     std::string_view provider = "tome") noexcept {
    if (!span.IsRecording()) return;
    span.AddEvent("feature_flag.evaluation", {{"feature_flag.key", key},
                                              {"feature_flag.result.value", value},
                                              {"feature_flag.provider.name", provider}});
}

}  // namespace tome::telemetry::trace
