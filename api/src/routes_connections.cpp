// Routes over connections and networks: create, list, inspect, delete, ring, hub, topology,
// validation.
#include "request_body.hpp"
#include "tome/api/proxy.hpp"

namespace tome::api {
namespace {

Result<connector::ConnectionConfig> ConfigField(const Json& body) {
    auto it = body.find("config");
    if (it == body.end() || it->is_null()) return connector::ConnectionConfig{};
    if (!it->is_object()) return InvalidArgument("field 'config' must be an object");
    return connector::ParseConnectionConfig(*it);
}

NetworkChange Created(const connector::ConnectionInfo& c) {
    return {NetworkChange::Kind::kConnectionCreated, c.id,
            {{"source", c.source},
             {"target", c.target},
             {"config", connector::ToJson(c.config)},
             {"traceId", c.trace_id}}};
}

/// A network's audit target: its tomes, comma-separated.
std::string Joined(const std::vector<std::string>& tomes) {
    std::string out;
    for (const auto& t : tomes) out += (out.empty() ? "" : ",") + t;
    return out;
}

Json ConnectionList(const std::vector<connector::ConnectionInfo>& list) {
    Json out = Json::array();
    for (const auto& c : list) out.push_back(connector::ToJson(c));
    return out;
}

void TrackConnections(robotcopy::RobotCopy& rc, const RequestContext& ctx, const char* action,
                      const std::vector<connector::ConnectionInfo>& list) {
    for (const auto& c : list) {
        robotcopy::TrackedMessage m;
        m.trace_id = ctx.trace_id;
        // Recorded in the request's SERVER span (the exported one; its connection.create /
        // connection.delete children are not in ConnectionInfo).
        m.span_id = ctx.span_id;
        m.parent_span_id = ctx.parent_span_id;
        m.action = action;
        m.data = {{"connectionId", c.id}, {"sourceTome", c.source}, {"targetTome", c.target}};
        rc.TrackMessage(std::move(m));
    }
}

}  // namespace

void Proxy::AddConnectionRoutes() {
    auto& s = services_;
    router_.Add("POST", "/api/connections", "connection_management", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"sourceTome", "targetTome", "config"});
            !st.ok())
            return st;
        auto source = internal::RequireString(*body, "sourceTome");
        if (!source.ok()) return source.status();
        auto target = internal::RequireString(*body, "targetTome");
        if (!target.ok()) return target.status();
        auto config = ConfigField(*body);
        if (!config.ok()) return config.status();
        auto info = s.connector.Connect(*source, *target, std::move(*config));
        if (!info.ok()) return info.status();
        call.target = info->id;
        call.changes.push_back(Created(*info));
        TrackConnections(s.robot_copy, call.context, "connection.create", {*info});
        return Reply{201, connector::ToJson(*info)};
    });
    router_.Add("GET", "/api/connections", "connection_management", [&s](Call& call) -> Result<Reply> {
        // Optional filter: ?tome=<id>
        const std::string& q = call.request.query;
        std::vector<connector::ConnectionInfo> list;
        if (q.rfind("tome=", 0) == 0) {
            const std::string id = q.substr(5, q.find('&') == std::string::npos ? std::string::npos
                                                                               : q.find('&') - 5);
            if (!s.tomes.Contains(id)) return NotFound("tome '" + id + "' does not exist");
            list = s.connector.ConnectionsOf(id);
        } else {
            list = s.connector.ListConnections();
        }
        return Reply{200, {{"connections", ConnectionList(list)}, {"count", list.size()}}};
    });
    router_.Add("GET", "/api/connections/{id}", "connection_management", [&s](Call& call) -> Result<Reply> {
        auto info = s.connector.GetConnection(call.params.at("id"));
        if (!info.ok()) return info.status();
        return Reply{200, connector::ToJson(*info)};
    });
    router_.Add("DELETE", "/api/connections/{id}", "connection_management",
                [&s](Call& call) -> Result<Reply> {
                    const std::string& id = call.params.at("id");
                    auto info = s.connector.GetConnection(id);
                    if (!info.ok()) return info.status();
                    call.before = connector::ToJson(*info);
                    if (auto st = s.connector.Disconnect(id); !st.ok()) return st;
                    call.changes.push_back({NetworkChange::Kind::kConnectionDeleted, id});
                    TrackConnections(s.robot_copy, call.context, "connection.delete", {*info});
                    return Reply{200, {{"deleted", id}}};
                });
}

void Proxy::AddNetworkRoutes() {
    auto& s = services_;
    router_.Add("POST", "/api/networks/ring", "network_management", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"tomes", "config"}); !st.ok()) return st;
        auto tomes = internal::RequireStringArray(*body, "tomes", 2);
        if (!tomes.ok()) return tomes.status();
        auto config = ConfigField(*body);
        if (!config.ok()) return config.status();
        call.target = Joined(*tomes);
        auto created = s.connector.CreateRingNetwork(*tomes, *config);
        if (!created.ok()) return created.status();
        for (const auto& c : *created) call.changes.push_back(Created(c));
        TrackConnections(s.robot_copy, call.context, "network.create", *created);
        return Reply{201,
                     {{"type", tomes->size() >= 3 ? "ring" : "chain"},
                      {"tomes", *tomes},
                      {"connections", ConnectionList(*created)}}};
    });
    router_.Add("POST", "/api/networks/hub", "network_management", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"hubTome", "spokeTomes", "config"}); !st.ok())
            return st;
        auto hub = internal::RequireString(*body, "hubTome");
        if (!hub.ok()) return hub.status();
        auto spokes = internal::RequireStringArray(*body, "spokeTomes", 1);
        if (!spokes.ok()) return spokes.status();
        auto config = ConfigField(*body);
        if (!config.ok()) return config.status();
        call.target = *hub + "," + Joined(*spokes);
        auto created = s.connector.CreateHubNetwork(*hub, *spokes, *config);
        if (!created.ok()) return created.status();
        for (const auto& c : *created) call.changes.push_back(Created(c));
        TrackConnections(s.robot_copy, call.context, "network.create", *created);
        return Reply{201,
                     {{"type", "hub"},
                      {"hubTome", *hub},
                      {"spokeTomes", *spokes},
                      {"connections", ConnectionList(*created)}}};
    });
    router_.Add("GET", "/api/topology", "topology_query", [&s](Call&) -> Result<Reply> {
        return Reply{200, s.connector.GetTopology().ToJson()};
    });
    router_.Add("POST", "/api/validate", "network_validation", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, false);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {}); !st.ok()) return st;
        return Reply{200, s.connector.Validate().ToJson()};
    });
}

}  // namespace tome::api
