// TailSamplingOptions: the configuration of the tail decision processor (rates per category,
// custom rules, latency threshold, memory bounds, decision timeout, clock), and its parser from
// a JSON object using the config names of the system tome follows (errorSamplingRate,
// normalSamplingRate, highValueSamplingRate, customRules, latencyThresholdMs). Plain values;
// ParseTailSamplingOptions is a pure function, safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/trace/rule_sampler.hpp"

namespace tome::telemetry::trace {

/// One custom rule: a condition in the rule-sampler grammar (e.g. `business.order_value > 1000`,
/// `span.kind == server and http.route == "/api/pay"`), evaluated on each finished span's
/// name, kind and final attributes.
struct TailSamplingRule {
    Condition condition;
    /// Rate for traces in which a span matched. nullopt: highValueSamplingRate.
    std::optional<double> rate;
    std::string text;  ///< The condition as written (for diagnostics).
};

struct TailSamplingOptions {
    /// `errorSamplingRate`: traces with any span whose status is Error. Default 1.0.
    double error_sampling_rate = 1.0;
    /// `normalSamplingRate`: traces in no other category. Default 0.1.
    double normal_sampling_rate = 0.1;
    /// `highValueSamplingRate`: traces matching a custom rule that has no rate. Default 1.0.
    double high_value_sampling_rate = 1.0;
    /// `customRules`: [{condition, rate?}]. Per span the first matching rule counts.
    std::vector<TailSamplingRule> custom_rules;
    /// `latencyThresholdMs`: a trace is kept (rate 1.0) when a span lasts longer than this,
    /// or the trace's extent (earliest start to latest end) does. 0 (default): off.
    std::chrono::milliseconds latency_threshold{0};

    /// `maxTraces`: local traces held at once; a span of a new trace over it is dropped
    /// (tail_buffer_full). Default 10000.
    std::size_t max_traces = 10000;
    /// `maxSpansPerTrace`: spans held per trace; later ones are dropped (tail_buffer_full) but
    /// still count towards the decision. Default 1000.
    std::size_t max_spans_per_trace = 1000;
    /// `decisionTimeoutMs`: a trace whose local root has not ended this long after its first
    /// span arrived is decided with what it has (tail_decision_timeout). Default 30 s.
    std::chrono::milliseconds decision_timeout{30000};
    /// How often the processor's thread looks for timed-out traces (real time). Default 1 s.
    std::chrono::milliseconds sweep_interval{1000};
    /// Remembers this many kept trace ids, so spans ending after their trace was kept are
    /// forwarded at once. 0: off. Default 10000.
    std::size_t kept_cache_size = 10000;
    /// Monotonic clock for the decision timeout. Default std::chrono::steady_clock::now.
    std::function<std::chrono::steady_clock::time_point()> now;
};

/// Parses a JSON object such as
///   {"errorSamplingRate": 1.0, "normalSamplingRate": 0.1, "highValueSamplingRate": 1.0,
///    "latencyThresholdMs": 2000,
///    "customRules": [{"condition": "business.order_value > 1000", "rate": 1.0}],
///    "maxTraces": 10000, "maxSpansPerTrace": 1000, "decisionTimeoutMs": 30000}
/// Every key is optional; missing keys keep the defaults above. Unknown keys, rates outside
/// [0, 1], negative or non-integer sizes and bad conditions are errors that name the key.
Result<TailSamplingOptions> ParseTailSamplingOptions(std::string_view json_text);

}  // namespace tome::telemetry::trace
