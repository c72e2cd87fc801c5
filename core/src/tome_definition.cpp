#include "tome/core/tome_definition.hpp"

#include <yaml-cpp/yaml.h>

#include "tome/core/yaml_json.hpp"

namespace tome {
namespace {

Result<GuardOp> ParseGuardOp(const std::string& op) {
    if (op == "==" || op == "equals") return GuardOp::kEq;
    if (op == "!=") return GuardOp::kNe;
    if (op == ">") return GuardOp::kGt;
    if (op == ">=") return GuardOp::kGe;
    if (op == "<") return GuardOp::kLt;
    if (op == "<=") return GuardOp::kLe;
    if (op == "exists") return GuardOp::kExists;
    return InvalidArgument("unknown operator '" + op + "' (expected ==, !=, >, >=, <, <=, exists)");
}

const char* GuardOpText(GuardOp op) {
    switch (op) {
        case GuardOp::kEq: return "==";
        case GuardOp::kNe: return "!=";
        case GuardOp::kGt: return ">";
        case GuardOp::kGe: return ">=";
        case GuardOp::kLt: return "<";
        case GuardOp::kLe: return "<=";
        case GuardOp::kExists: return "exists";
    }
    return "==";
}

Result<Guard> ParseGuard(const Json& j, const std::string& where) {
    if (!j.is_object()) return InvalidArgument(where + ": must be an object {field, op, value}");
    Guard g;
    auto field = j.find("field");
    if (field == j.end() || !field->is_string() || !IsValidPath(field->get<std::string>())) {
        return InvalidArgument(where + ".field: must be a dot path string");
    }
    g.field = field->get<std::string>();
    if (auto op = j.find("op"); op != j.end()) {
        if (!op->is_string()) return InvalidArgument(where + ".op: must be a string");
        auto parsed = ParseGuardOp(op->get<std::string>());
        if (!parsed.ok()) return InvalidArgument(where + ".op: " + parsed.status().message());
        g.op = *parsed;
    }
    if (auto eq = j.find("equals"); eq != j.end()) {
        g.op = GuardOp::kEq;
        g.value = *eq;
    } else if (auto v = j.find("value"); v != j.end()) {
        g.value = *v;
    } else if (g.op != GuardOp::kExists) {
        return InvalidArgument(where + ".value: required for operator " + GuardOpText(g.op));
    }
    if ((g.op == GuardOp::kGt || g.op == GuardOp::kGe || g.op == GuardOp::kLt ||
         g.op == GuardOp::kLe) &&
        !g.value.is_number()) {
        return InvalidArgument(where + ".value: must be a number for operator " +
                               GuardOpText(g.op));
    }
    return g;
}

Result<Transition> ParseTransition(const Json& j, const std::string& where) {
    Transition t;
    if (j.is_string()) {
        t.target = j.get<std::string>();
        return t;
    }
    if (!j.is_object()) return InvalidArgument(where + ": must be a state name or an object");
    auto target = j.find("target");
    if (target == j.end() || !target->is_string()) {
        return InvalidArgument(where + ".target: required string");
    }
    t.target = target->get<std::string>();
    if (auto guard = j.find("guard"); guard != j.end()) {
        auto g = ParseGuard(*guard, where + ".guard");
        if (!g.ok()) return g.status();
        t.guard = std::move(*g);
    }
    if (auto assign = j.find("assign"); assign != j.end()) {
        if (!assign->is_object()) return InvalidArgument(where + ".assign: must be an object");
        for (auto it = assign->begin(); it != assign->end(); ++it) {
            if (!IsValidPath(it.key()) || !it->is_string() ||
                !IsValidPath(it->get<std::string>())) {
                return InvalidArgument(where + ".assign." + it.key() +
                                       ": must map a context path to an event field path");
            }
            t.assign[it.key()] = it->get<std::string>();
        }
    }
    return t;
}

}  // namespace

bool Guard::Holds(const Json& context) const {
    const Json* actual = FindPath(context, field);
    if (op == GuardOp::kExists) return actual != nullptr && !actual->is_null();
    if (actual == nullptr) return op == GuardOp::kNe;
    switch (op) {
        case GuardOp::kEq: return *actual == value;
        case GuardOp::kNe: return *actual != value;
        default: break;
    }
    if (!actual->is_number() || !value.is_number()) return false;
    const double a = actual->get<double>();
    const double b = value.get<double>();
    switch (op) {
        case GuardOp::kGt: return a > b;
        case GuardOp::kGe: return a >= b;
        case GuardOp::kLt: return a < b;
        case GuardOp::kLe: return a <= b;
        default: return false;
    }
}

Result<TomeDefinition> ParseTomeDefinition(const Json& json) {
    if (!json.is_object()) return InvalidArgument("tome definition must be a JSON object");
    TomeDefinition def;
    auto id = json.find("id");
    if (id == json.end() || !id->is_string() || id->get<std::string>().empty()) {
        return InvalidArgument("id: required non-empty string");
    }
    def.id = id->get<std::string>();
    if (def.id.size() > 128 || def.id.find_first_of("/ ?#%") != std::string::npos) {
        return InvalidArgument("id: at most 128 characters, without '/', ' ', '?', '#', '%'");
    }
    auto states = json.find("states");
    if (states == json.end() || !states->is_object() || states->empty()) {
        return InvalidArgument("states: required non-empty object");
    }
    for (auto it = states->begin(); it != states->end(); ++it) {
        const std::string where = "states." + it.key();
        if (!it->is_object() && !it->is_null()) return InvalidArgument(where + ": must be an object");
        StateDefinition state;
        if (it->is_object()) {
            if (auto type = it->find("type"); type != it->end()) {
                if (!type->is_string()) return InvalidArgument(where + ".type: must be a string");
                state.final = type->get<std::string>() == "final";
            }
            if (auto on = it->find("on"); on != it->end()) {
                if (!on->is_object()) return InvalidArgument(where + ".on: must be an object");
                for (auto ev = on->begin(); ev != on->end(); ++ev) {
                    auto t = ParseTransition(*ev, where + ".on." + ev.key());
                    if (!t.ok()) return t.status();
                    state.on[ev.key()] = std::move(*t);
                }
            }
        }
        def.states[it.key()] = std::move(state);
    }
    for (const auto& [name, state] : def.states) {
        for (const auto& [event, t] : state.on) {
            if (!def.states.count(t.target)) {
                return InvalidArgument("states." + name + ".on." + event + ": target '" + t.target +
                                       "' is not a state");
            }
        }
    }
    auto initial = json.find("initial");
    if (initial == json.end() || !initial->is_string()) {
        return InvalidArgument("initial: required string");
    }
    def.initial = initial->get<std::string>();
    if (!def.states.count(def.initial)) {
        return InvalidArgument("initial: '" + def.initial + "' is not a state");
    }
    if (auto ctx = json.find("context"); ctx != json.end() && !ctx->is_null()) {
        if (!ctx->is_object()) return InvalidArgument("context: must be an object");
        def.context = *ctx;
    }
    return def;
}

Result<TomeDefinition> ParseTomeDefinitionText(const std::string& text) {
    Json json;
    try {
        json = YamlTextToJson(text);
    } catch (const YAML::Exception& e) {
        return InvalidArgument("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return ParseTomeDefinition(json);
}

Json YamlTextToJson(const std::string& text) { return YamlToJson(YAML::Load(text)); }

Json ToJson(const TomeDefinition& def) {
    Json states = Json::object();
    for (const auto& [name, state] : def.states) {
        Json s = Json::object();
        if (state.final) s["type"] = "final";
        if (!state.on.empty()) {
            Json on = Json::object();
            for (const auto& [event, t] : state.on) {
                if (!t.guard && t.assign.empty()) {
                    on[event] = t.target;
                    continue;
                }
                Json tj = {{"target", t.target}};
                if (t.guard) {
                    tj["guard"] = {{"field", t.guard->field}, {"op", GuardOpText(t.guard->op)}};
                    if (t.guard->op != GuardOp::kExists) tj["guard"]["value"] = t.guard->value;
                }
                if (!t.assign.empty()) tj["assign"] = t.assign;
                on[event] = std::move(tj);
            }
            s["on"] = std::move(on);
        }
        states[name] = std::move(s);
    }
    return {{"id", def.id}, {"initial", def.initial}, {"states", states}, {"context", def.context}};
}

}  // namespace tome
