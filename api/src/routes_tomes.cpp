// Routes over tomes: create, list, inspect, delete, send an event.
#include "request_body.hpp"
#include "request_tracing.hpp"
#include "tome/api/proxy.hpp"
#include "tome/connector/remote.hpp"

namespace tome::api {
namespace {

Json TomeView(const Tome& tome, const connector::Connector& connector) {
    const TomeSnapshot s = tome.Snapshot();
    Json connections = Json::array();
    for (const auto& c : connector.ConnectionsOf(s.id)) connections.push_back(c.id);
    return {{"id", s.id},
            {"state", s.state},
            {"context", *s.context},
            {"eventsReceived", s.events_received},
            {"transitions", s.transitions},
            {"eventsIgnored", s.events_ignored},
            {"final", s.final},
            {"connections", connections}};
}

Result<TomeEvent> ParseEvent(const Json& body) {
    const Json* ev = &body;
    if (auto it = body.find("event"); it != body.end()) {
        if (!it->is_object()) return InvalidArgument("field 'event' must be an object {type, payload}");
        ev = &*it;
    }
    auto type = internal::RequireString(*ev, "type");
    if (!type.ok()) {
        if (ev == &body) return type.status();
        return InvalidArgument("in 'event': " + type.status().message());
    }
    TomeEvent event{*type, Json::object()};
    if (auto p = ev->find("payload"); p != ev->end() && !p->is_null()) {
        if (!p->is_object()) return InvalidArgument("field 'payload' must be an object");
        event.payload = *p;
    }
    return event;
}

}  // namespace

namespace internal {
void TrackDeliveries(robotcopy::RobotCopy& rc, const RequestContext& ctx,
                     const connector::DeliveryReport& report) {
    for (const auto& d : report.deliveries) {
        robotcopy::TrackedMessage m;
        m.trace_id = report.trace_id;
        // One id system: the delivery's own event.forward / state.sync span when it was
        // traced; otherwise (nothing exported) a fresh id under the request's span.
        if (d.span_id.IsValid()) {
            m.span_id = d.span_id.ToHex();
            m.parent_span_id = d.parent_span_id.IsValid() ? d.parent_span_id.ToHex() : ctx.span_id;
        } else {
            m.span_id = robotcopy::RobotCopy::NewSpanId();
            m.parent_span_id = ctx.span_id;
        }
        m.action = d.state_sync ? "state.sync" : "event.deliver";
        m.data = {{"tome", d.tome},      {"eventType", d.event_type},   {"hop", d.hop},
                  {"handled", d.handled}, {"fromState", d.from_state}, {"toState", d.to_state},
                  {"viaConnection", d.via_connection}, {"eventId", report.event_id}};
        rc.TrackMessage(std::move(m));
    }
}
}  // namespace internal

void Proxy::AddTomeRoutes() {
    auto& s = services_;
    router_.Add("POST", "/api/tomes", "tome_management", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (body->contains("remote")) {
            // {"id": "X", "remote": "http://host:port"}: a tome living in another tome process.
            if (auto st = internal::RejectUnknownFields(*body, {"id", "remote"}); !st.ok()) return st;
            auto id = internal::RequireString(*body, "id");
            if (!id.ok()) return id.status();
            auto endpoint = internal::RequireString(*body, "remote");
            if (!endpoint.ok()) return endpoint.status();
            call.target = *id;
            if (s.tomes.Contains(*id)) return AlreadyExists("tome '" + *id + "' already exists");
            if (auto st = s.connector.RegisterRemoteTome(*id, *endpoint); !st.ok()) return st;
            call.changes.push_back(
                {NetworkChange::Kind::kRemoteTomeRegistered, *id, {{"endpoint", *endpoint}}});
            return Reply{201, {{"id", *id}, {"remote", *endpoint}}};
        }
        if (auto id = body->find("id"); id != body->end() && id->is_string()) call.target = *id;
        auto def = ParseTomeDefinition(*body);
        if (!def.ok()) return def.status();
        auto tome = std::make_shared<Tome>(std::move(*def));
        if (auto st = s.tomes.Add(tome); !st.ok()) return st;
        call.changes.push_back({NetworkChange::Kind::kTomeCreated, tome->id(), ToJson(tome->definition())});
        std::vector<std::string> events;
        for (const auto& [name, state] : tome->definition().states)
            for (const auto& [ev, t] : state.on) events.push_back(ev);
        robotcopy::ComponentInfo info;
        info.id = tome->id();
        info.type = "tome";
        info.capabilities = events;
        info.version = "1";
        (void)s.robot_copy.components().Register(std::move(info));
        return Reply{201, TomeView(*tome, s.connector)};
    });
    router_.Add("GET", "/api/tomes", "tome_management", [&s](Call&) -> Result<Reply> {
        Json list = Json::array();
        for (const auto& t : s.tomes.List()) list.push_back(TomeView(*t, s.connector));
        return Reply{200, {{"tomes", list}, {"count", list.size()}}};
    });
    router_.Add("GET", "/api/tomes/{id}", "tome_management", [&s](Call& call) -> Result<Reply> {
        auto tome = s.tomes.Find(call.params.at("id"));
        if (!tome) return NotFound("tome '" + call.params.at("id") + "' does not exist");
        Json view = TomeView(*tome, s.connector);
        view["definition"] = ToJson(tome->definition());
        return Reply{200, view};
    });
    router_.Add("DELETE", "/api/tomes/{id}", "tome_management", [&s](Call& call) -> Result<Reply> {
        const std::string& id = call.params.at("id");
        if (!s.tomes.Contains(id)) {
            std::string endpoint;
            for (const auto& node : s.connector.GetTopology().nodes) {
                if (node.id == id) endpoint = node.endpoint;
            }
            if (s.connector.UnregisterRemoteTome(id).ok()) {
                call.before = {{"id", id}, {"remote", endpoint}};
                call.changes.push_back({NetworkChange::Kind::kTomeDeleted, id});
                return Reply{200, {{"deleted", id}, {"remote", true}}};
            }
        }
        if (auto tome = s.tomes.Find(id)) call.before = TomeView(*tome, s.connector);
        if (auto st = s.tomes.Remove(id); !st.ok()) return st;
        call.changes.push_back({NetworkChange::Kind::kTomeDeleted, id});
        (void)s.robot_copy.components().Unregister(id);
        Json affected = Json::array();
        for (const auto& c : s.connector.ConnectionsOf(id)) affected.push_back(c.id);
        return Reply{200, {{"deleted", id}, {"unhealthyConnections", affected}}};
    });
    router_.Add("POST", "/api/tomes/{id}/events", "tome_event", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        auto event = ParseEvent(*body);
        if (!event.ok()) return event.status();
        // payload.business -> SERVER span attributes and baggage for the connector's spans
        const internal::BusinessScope business(event->payload);
        auto report = s.connector.SendEvent(call.params.at("id"), *event,
                                            {call.context.trace_id, call.context.span_id});
        if (!report.ok()) return report.status();
        internal::TrackDeliveries(s.robot_copy, call.context, *report);
        return Reply{200, connector::ToJson(*report)};
    });
    // The far side of a forward from another tome process (connector/remote.hpp).
    router_.Add("POST", "/api/remote/events", "tome_event", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(
                *body, {"tomeId", "event", "eventId", "origin", "path"});
            !st.ok())
            return st;
        auto tome_id = internal::RequireString(*body, "tomeId");
        if (!tome_id.ok()) return tome_id.status();
        auto event_id = internal::RequireString(*body, "eventId");
        if (!event_id.ok()) return event_id.status();
        auto origin = internal::RequireString(*body, "origin");
        if (!origin.ok()) return origin.status();
        if (!body->contains("event")) return InvalidArgument("missing field 'event'");
        auto event = ParseEvent(*body);
        if (!event.ok()) return event.status();
        connector::EventPath path;
        const Json p = body->value("path", Json::object());
        if (!p.is_object()) return InvalidArgument("field 'path' must be an object {tomes, visited}");
        for (const char* key : {"tomes", "visited"}) {
            if (!p.contains(key)) continue;
            auto list = internal::RequireStringArray(p, key, 0);
            if (!list.ok()) return InvalidArgument("in 'path': " + list.status().message());
            (std::string(key) == "tomes" ? path.tomes : path.visited) = std::move(*list);
        }
        const internal::BusinessScope business(event->payload);
        auto report = s.connector.ContinueEvent(*tome_id, *event, *event_id, *origin, path,
                                                {call.context.trace_id, call.context.span_id});
        if (!report.ok()) return report.status();
        internal::TrackDeliveries(s.robot_copy, call.context, *report);
        return Reply{200, connector::ToJson(*report)};
    });
    router_.Add("POST", "/api/broadcast", "event_broadcast", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"sourceTome", "event"}); !st.ok()) return st;
        auto source = internal::RequireString(*body, "sourceTome");
        if (!source.ok()) return source.status();
        if (!body->contains("event")) return InvalidArgument("missing field 'event'");
        auto event = ParseEvent(*body);
        if (!event.ok()) return event.status();
        const internal::BusinessScope business(event->payload);
        auto report = s.connector.Broadcast(*source, *event,
                                            {call.context.trace_id, call.context.span_id});
        if (!report.ok()) return report.status();
        internal::TrackDeliveries(s.robot_copy, call.context, *report);
        return Reply{200, connector::ToJson(*report)};
    });
}

}  // namespace tome::api
