// Private: hashing, comparison and normalisation of metric attribute sets. The hash of a
// borrowed list equals the hash of its normalised owned set when its keys are unique (the hash
// does not depend on order). Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "tome/telemetry/metrics/instruments.hpp"
#include "tome/telemetry/metrics/metric_data.hpp"

namespace tome::telemetry::metrics::detail {

std::uint64_t HashAttributes(AttributesRef attributes) noexcept;
std::uint64_t HashAttributes(const AttributeSet& attributes) noexcept;

/// True when `attributes` (unique keys, any order) holds exactly the pairs of `set`.
bool SameAttributes(AttributesRef attributes, const AttributeSet& set) noexcept;

/// Owned copy sorted by key; on a repeated key the last one wins. May throw bad_alloc.
AttributeSet Normalize(AttributesRef attributes);

}  // namespace tome::telemetry::metrics::detail
