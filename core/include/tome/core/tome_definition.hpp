// TomeDefinition: the static description of a tome (a named state machine) and its parser
// from JSON or YAML. Definitions are immutable values once parsed; share them freely.
//
// Shape (JSON; YAML is the same tree):
//   { "id": "PaymentService", "initial": "idle", "context": {...},
//     "states": { "idle": { "on": { "PAY": "paid",
//                                   "REFUND": { "target": "refunded",
//                                               "guard": {"field": "paid", "op": "==", "value": true},
//                                               "assign": {"refund.amount": "amount"} } } },
//                 "paid": {}, "refunded": { "type": "final" } } }
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tome/core/json_path.hpp"
#include "tome/core/status.hpp"

namespace tome {

/// Comparison applied by a guard between a context field and a literal.
enum class GuardOp { kEq, kNe, kGt, kGe, kLt, kLe, kExists };

/// A transition is taken only when `context[field] <op> value` holds.
struct Guard {
    std::string field;  ///< Dot path into the tome's context.
    GuardOp op = GuardOp::kEq;
    Json value;  ///< Ignored for kExists.

    bool Holds(const Json& context) const;
};

struct Transition {
    std::string target;
    std::optional<Guard> guard;
    /// context path -> event payload path: copied from the event into the context when the
    /// transition is taken (a missing payload field is skipped).
    std::map<std::string, std::string> assign;
};

struct StateDefinition {
    std::map<std::string, Transition> on;  ///< event type -> transition.
    bool final = false;                    ///< A final state accepts no further transitions.
};

struct TomeDefinition {
    std::string id;
    std::string initial;
    std::map<std::string, StateDefinition> states;
    Json context = Json::object();
};

/// Event type handled by every tome without a transition: merges payload.updates into the
/// context (a state sync).
inline constexpr const char* kSyncStateEvent = "SYNC_STATE";

/// Parses and validates a definition. Errors (kInvalidArgument) name the offending field by
/// path, e.g. "states.paid.on.SHIP: target 'shipped' is not a state".
Result<TomeDefinition> ParseTomeDefinition(const Json& json);

/// Parses a definition written in YAML or JSON text (JSON is valid YAML 1.2 for our purposes).
/// Errors carry the line number of the problem when it is a syntax error.
Result<TomeDefinition> ParseTomeDefinitionText(const std::string& text);

/// The definition as JSON, in the shape ParseTomeDefinition accepts.
Json ToJson(const TomeDefinition& definition);

/// Converts a YAML document to JSON: plain scalars become bool/int/double/null when they read
/// as such, quoted scalars stay strings. Throws YAML::Exception on malformed input.
Json YamlTextToJson(const std::string& text);

}  // namespace tome
