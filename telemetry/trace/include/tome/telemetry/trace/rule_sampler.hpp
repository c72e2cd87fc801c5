// Rule-based head sampler: ordered rules, each a condition on the span name, kind or initial
// attributes with a sampling rate; the first matching rule decides, else the fallback rate.
// Rates use the same trace-id-consistent test as traceidratio. Parsed rules are immutable;
// the sampler may be used from any thread.
//
// Grammar (whitespace between tokens is free):
//   rules      := rule (';' rule)* [';']
//   rule       := ('*' | condition) '=>' rate        ('*' sets the fallback rate)
//   condition  := comparison (('and' | '&&') comparison)*
//   comparison := field op literal | field 'in' '[' literal (',' literal)* ']'
//   field      := 'span.name' | 'name' | 'span.kind' | 'kind' | attribute-key
//   op         := '==' | '!=' | '>' | '>=' | '<' | '<='
//   literal    := "string" | number | true | false | bare word (server, client, ...)
// Example: `http.route == "/api/health" => 0; business.order_value > 1000 => 1; * => 0.1`
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/trace/sampler.hpp"

namespace tome::telemetry::trace {

enum class CompareOp : std::uint8_t { kEq, kNe, kGt, kGe, kLt, kLe, kIn };

/// A literal in a condition. Strings also hold bare words.
using RuleLiteral = std::variant<bool, std::int64_t, double, std::string>;

/// One `field op literal` test. A missing attribute or a type mismatch never matches.
struct Comparison {
    enum class Field : std::uint8_t { kName, kKind, kAttribute };
    Field field = Field::kAttribute;
    std::string attribute_key;  ///< For kAttribute.
    CompareOp op = CompareOp::kEq;
    std::vector<RuleLiteral> values;  ///< One value, or the list for kIn.

    bool Matches(const SamplingParams& params) const noexcept;
};

/// A conjunction of comparisons (all must match).
struct Condition {
    std::vector<Comparison> all_of;

    bool Matches(const SamplingParams& params) const noexcept;
    /// Parses one condition; errors name the position (0-based character offset).
    static Result<Condition> Parse(std::string_view text);
};

struct SamplingRule {
    Condition condition;
    double rate = 1.0;  ///< Probability in [0, 1].
};

struct RuleBasedSamplerOptions {
    std::vector<SamplingRule> rules;  ///< Checked in order; first match wins.
    double fallback_rate = 1.0;       ///< When no rule matches. Default 1.0.
};

/// Parses the rules grammar above. Errors name the position (0-based character offset).
Result<RuleBasedSamplerOptions> ParseSamplingRules(std::string_view text);

/// The sampler. Description: "RuleBased{<n> rules,fallback=<rate>}".
std::unique_ptr<Sampler> MakeRuleBasedSampler(RuleBasedSamplerOptions options);

}  // namespace tome::telemetry::trace
