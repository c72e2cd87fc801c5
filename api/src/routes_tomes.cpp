// Routes over tomes: create, list, inspect, delete, send an event.
#include "request_body.hpp"
#include "tome/api/proxy.hpp"

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
        m.span_id = robotcopy::RobotCopy::NewSpanId();
        m.parent_span_id = ctx.span_id;
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
        auto body = internal::ParseJsonObject(call.request, true);
        if (!body.ok()) return body.status();
        auto def = ParseTomeDefinition(*body);
        if (!def.ok()) return def.status();
        auto tome = std::make_shared<Tome>(std::move(*def));
        if (auto st = s.tomes.Add(tome); !st.ok()) return st;
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
        if (auto st = s.tomes.Remove(id); !st.ok()) return st;
        (void)s.robot_copy.components().Unregister(id);
        Json affected = Json::array();
        for (const auto& c : s.connector.ConnectionsOf(id)) affected.push_back(c.id);
        return Reply{200, {{"deleted", id}, {"unhealthyConnections", affected}}};
    });
    router_.Add("POST", "/api/tomes/{id}/events", "tome_event", [&s](Call& call) -> Result<Reply> {
        auto body = internal::ParseJsonObject(call.request, true);
        if (!body.ok()) return body.status();
        auto event = ParseEvent(*body);
        if (!event.ok()) return event.status();
        auto report = s.connector.SendEvent(call.params.at("id"), *event,
                                            {call.context.trace_id, call.context.span_id});
        if (!report.ok()) return report.status();
        internal::TrackDeliveries(s.robot_copy, call.context, *report);
        return Reply{200, connector::ToJson(*report)};
    });
    router_.Add("POST", "/api/broadcast", "event_broadcast", [&s](Call& call) -> Result<Reply> {
        auto body = internal::ParseJsonObject(call.request, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"sourceTome", "event"}); !st.ok()) return st;
        auto source = internal::RequireString(*body, "sourceTome");
        if (!source.ok()) return source.status();
        if (!body->contains("event")) return InvalidArgument("missing field 'event'");
        auto event = ParseEvent(*body);
        if (!event.ok()) return event.status();
        auto report = s.connector.Broadcast(*source, *event,
                                            {call.context.trace_id, call.context.span_id});
        if (!report.ok()) return report.status();
        internal::TrackDeliveries(s.robot_copy, call.context, *report);
        return Reply{200, connector::ToJson(*report)};
    });
}

}  // namespace tome::api
