// Root-cause hints for a firing alert: which span (service and operation, and the tome it
// works for) grew most in the affected traces compared with traces of a baseline window: in
// self time (its duration minus the time covered by its children) for latency alerts, in errors
// that began there (no failed child) for error alerts. Pure functions over stored spans; call from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "span_record.hpp"
#include "store.hpp"

namespace tome::console::internal {

struct RootCauseHint {
    std::string service;
    std::string operation;
    std::string tome;      ///< tome.id of those spans when they carry one.
    double before = 0;     ///< Per trace in the baseline: self time (ms) or errors.
    double after = 0;      ///< Per trace in the affected traces.
    bool errors = false;   ///< Errors grew (else self time).
    std::size_t affected_traces = 0;
    std::size_t baseline_traces = 0;
    std::vector<std::string> examples;  ///< Up to 5 affected trace ids (hex).
    std::string text;      ///< One sentence for people.
};

/// The span that grew most; nullopt when there are no affected traces or nothing grew.
std::optional<RootCauseHint> FindRootCause(const Store& store, const std::vector<TraceIdBytes>& affected,
                                           const std::vector<TraceIdBytes>& baseline, bool errors);

}  // namespace tome::console::internal
