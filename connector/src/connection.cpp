#include "tome/connector/connection.hpp"

#include "tome/core/json_path.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::connector {
namespace {

Status FieldError(const std::string& path, std::string_view what) {
    return InvalidArgument(path + ": " + std::string(what));
}

Status ParseStringMap(const Json& json, const std::string& path, bool keys_are_paths,
                      bool values_are_paths, std::map<std::string, std::string>& out) {
    if (!json.is_object()) return FieldError(path, "must be an object");
    for (auto it = json.begin(); it != json.end(); ++it) {
        const std::string field = path + "." + it.key();
        if (!it->is_string()) return FieldError(field, "must be a string");
        const auto& value = it->get_ref<const std::string&>();
        if (it.key().empty()) return FieldError(path, "keys must not be empty");
        if (value.empty()) return FieldError(field, "must not be empty");
        if (keys_are_paths && !IsValidPath(it.key())) {
            return FieldError(field, "key is not a valid dot path");
        }
        if (values_are_paths && !IsValidPath(value)) {
            return FieldError(field, "'" + value + "' is not a valid dot path");
        }
        out[it.key()] = value;
    }
    return Status::Ok();
}

Status ParseStringList(const Json& json, const std::string& path, bool paths,
                       std::vector<std::string>& out) {
    if (!json.is_array()) return FieldError(path, "must be an array");
    for (std::size_t i = 0; i < json.size(); ++i) {
        const std::string field = path + "[" + std::to_string(i) + "]";
        if (!json[i].is_string()) return FieldError(field, "must be a string");
        const auto& value = json[i].get_ref<const std::string&>();
        if (value.empty()) return FieldError(field, "must not be empty");
        if (paths && !IsValidPath(value)) {
            return FieldError(field, "'" + value + "' is not a valid dot path");
        }
        out.push_back(value);
    }
    return Status::Ok();
}

/// Rejects keys of `json` (an object) outside `allowed`.
Status RejectUnknown(const Json& json, const std::string& path,
                     std::initializer_list<std::string_view> allowed) {
    for (auto it = json.begin(); it != json.end(); ++it) {
        bool known = false;
        for (auto name : allowed) known = known || it.key() == name;
        if (it.key() == "transformFn" && path == "config") {
            return FieldError("config.transformFn", "only available to C++ callers");
        }
        if (!known) return FieldError(path + "." + it.key(), "unknown field");
    }
    return Status::Ok();
}

Status ParseFilters(const Json& json, ConnectionFilters& out) {
    const std::string path = "config.filters";
    if (!json.is_object()) return FieldError(path, "must be an object");
    if (auto s = RejectUnknown(json, path, {"events", "statePaths"}); !s.ok()) return s;
    if (auto it = json.find("events"); it != json.end()) {
        if (auto s = ParseStringList(*it, path + ".events", false, out.events); !s.ok()) return s;
    }
    if (auto it = json.find("statePaths"); it != json.end()) {
        auto s = ParseStringList(*it, path + ".statePaths", false, out.state_paths);
        if (!s.ok()) return s;
    }
    return Status::Ok();
}

Status ParseTransform(const Json& json, DeclarativeTransform& out) {
    const std::string path = "config.transform";
    if (!json.is_object()) return FieldError(path, "must be an object");
    if (auto s = RejectUnknown(json, path, {"rename", "drop", "set"}); !s.ok()) return s;
    if (auto it = json.find("rename"); it != json.end()) {
        if (auto s = ParseStringMap(*it, path + ".rename", true, true, out.rename); !s.ok()) {
            return s;
        }
    }
    if (auto it = json.find("drop"); it != json.end()) {
        if (auto s = ParseStringList(*it, path + ".drop", true, out.drop); !s.ok()) return s;
    }
    if (auto it = json.find("set"); it != json.end()) {
        if (!it->is_object()) return FieldError(path + ".set", "must be an object");
        for (auto kv = it->begin(); kv != it->end(); ++kv) {
            if (!IsValidPath(kv.key())) {
                return FieldError(path + ".set." + kv.key(), "key is not a valid dot path");
            }
        }
        out.set = *it;
    }
    return Status::Ok();
}

Status CheckTraceId(const std::string& id) {
    if (id.empty()) return Status::Ok();
    auto parsed = telemetry::TraceId::FromHex(id);
    if (!parsed || !parsed->IsValid()) {
        return FieldError("config.customTraceId",
                          "must be 32 lowercase hex characters, not all zero");
    }
    return Status::Ok();
}

}  // namespace

Result<ConnectionConfig> ParseConnectionConfig(const Json& json) {
    if (!json.is_object()) return FieldError("config", "must be an object");
    if (auto s = RejectUnknown(json, "config",
                               {"eventMapping", "stateMapping", "bidirectional", "filters",
                                "transform", "enableTracing", "customTraceId"});
        !s.ok()) {
        return s;
    }
    ConnectionConfig config;
    if (auto it = json.find("eventMapping"); it != json.end()) {
        auto s = ParseStringMap(*it, "config.eventMapping", false, false, config.event_mapping);
        if (!s.ok()) return s;
    }
    if (auto it = json.find("stateMapping"); it != json.end()) {
        auto s = ParseStringMap(*it, "config.stateMapping", true, true, config.state_mapping);
        if (!s.ok()) return s;
    }
    if (auto it = json.find("bidirectional"); it != json.end()) {
        if (!it->is_boolean()) return FieldError("config.bidirectional", "must be a boolean");
        config.bidirectional = it->get<bool>();
    }
    if (auto it = json.find("filters"); it != json.end()) {
        if (auto s = ParseFilters(*it, config.filters); !s.ok()) return s;
    }
    if (auto it = json.find("transform"); it != json.end() && !it->is_null()) {
        DeclarativeTransform transform;
        if (auto s = ParseTransform(*it, transform); !s.ok()) return s;
        config.transform = std::move(transform);
    }
    if (auto it = json.find("enableTracing"); it != json.end()) {
        if (!it->is_boolean()) return FieldError("config.enableTracing", "must be a boolean");
        config.enable_tracing = it->get<bool>();
    }
    if (auto it = json.find("customTraceId"); it != json.end()) {
        if (!it->is_string()) return FieldError("config.customTraceId", "must be a string");
        config.custom_trace_id = it->get<std::string>();
        if (auto s = CheckTraceId(config.custom_trace_id); !s.ok()) return s;
    }
    return config;
}

Status ValidateConnectionConfig(const ConnectionConfig& config) {
    for (const auto& [from, to] : config.event_mapping) {
        if (from.empty()) return FieldError("config.eventMapping", "keys must not be empty");
        if (to.empty()) return FieldError("config.eventMapping." + from, "must not be empty");
    }
    for (const auto& [from, to] : config.state_mapping) {
        if (!IsValidPath(from)) {
            return FieldError("config.stateMapping." + from, "key is not a valid dot path");
        }
        if (!IsValidPath(to)) {
            return FieldError("config.stateMapping." + from,
                              "'" + to + "' is not a valid dot path");
        }
    }
    if (config.transform) {
        for (const auto& [from, to] : config.transform->rename) {
            if (!IsValidPath(from) || !IsValidPath(to)) {
                return FieldError("config.transform.rename." + from, "not a valid dot path");
            }
        }
        for (std::size_t i = 0; i < config.transform->drop.size(); ++i) {
            if (!IsValidPath(config.transform->drop[i])) {
                return FieldError("config.transform.drop[" + std::to_string(i) + "]",
                                  "not a valid dot path");
            }
        }
        if (!config.transform->set.is_object()) {
            return FieldError("config.transform.set", "must be an object");
        }
    }
    return CheckTraceId(config.custom_trace_id);
}

Json ToJson(const ConnectionConfig& config) {
    Json json = {
        {"eventMapping", Json(config.event_mapping)},
        {"stateMapping", Json(config.state_mapping)},
        {"bidirectional", config.bidirectional},
        {"filters",
         {{"events", config.filters.events}, {"statePaths", config.filters.state_paths}}},
        {"enableTracing", config.enable_tracing},
    };
    // An empty std::map converts to an empty JSON array; the wire shape wants objects.
    if (config.event_mapping.empty()) json["eventMapping"] = Json::object();
    if (config.state_mapping.empty()) json["stateMapping"] = Json::object();
    if (config.transform) {
        Json rename = Json::object();
        for (const auto& [from, to] : config.transform->rename) rename[from] = to;
        json["transform"] = {
            {"rename", rename}, {"drop", config.transform->drop}, {"set", config.transform->set}};
    }
    if (!config.custom_trace_id.empty()) json["customTraceId"] = config.custom_trace_id;
    if (config.transform_fn) json["transformFn"] = true;
    return json;
}

void ApplyTransform(const DeclarativeTransform& transform, Json& payload) {
    if (!payload.is_object()) payload = Json::object();
    for (const auto& [from, to] : transform.rename) {
        const Json* value = FindPath(payload, from);
        if (value == nullptr) continue;
        Json moved = *value;
        ErasePath(payload, from);
        SetPath(payload, to, std::move(moved));
    }
    for (const auto& path : transform.drop) ErasePath(payload, path);
    for (auto it = transform.set.begin(); it != transform.set.end(); ++it) {
        SetPath(payload, it.key(), *it);
    }
}

std::string_view HealthName(Health health) {
    switch (health) {
        case Health::kHealthy:
            return "healthy";
        case Health::kDegraded:
            return "degraded";
        case Health::kUnhealthy:
            return "unhealthy";
    }
    return "unhealthy";
}

Json ToJson(const ConnectionInfo& info) {
    return {
        {"id", info.id},
        {"sourceTome", info.source},
        {"targetTome", info.target},
        {"config", ToJson(info.config)},
        {"bidirectional", info.config.bidirectional},
        {"direction", info.config.bidirectional ? "two-way" : "one-way"},
        {"health", HealthName(info.health)},
        {"createdAt", FormatRfc3339(info.created_at)},
        {"lastActivity", FormatRfc3339(info.last_activity)},
        {"traceId", info.trace_id},
        {"eventsForwarded", info.events_forwarded},
        {"statesSynced", info.states_synced},
        {"eventsDropped", info.events_dropped},
    };
}

}  // namespace tome::connector
