// JSON shapes of the connector's reports. Pure functions of their values.
#include "tome/connector/connector.hpp"

namespace tome::connector {
namespace {

Json Counts(const std::map<std::string, std::uint64_t>& counts) {
    Json out = Json::object();
    for (const auto& [k, v] : counts) out[k] = v;
    return out;
}

}  // namespace

Json ToJson(const DeliveryReport& report) {
    Json deliveries = Json::array();
    for (const auto& d : report.deliveries) {
        Json one = {{"tome", d.tome},
                    {"viaConnection", d.via_connection},
                    {"eventType", d.event_type},
                    {"hop", d.hop},
                    {"handled", d.handled},
                    {"fromState", d.from_state},
                    {"toState", d.to_state},
                    {"stateSync", d.state_sync}};
        if (d.span_id.IsValid()) one["spanId"] = d.span_id.ToHex();
        if (d.parent_span_id.IsValid()) one["parentSpanId"] = d.parent_span_id.ToHex();
        deliveries.push_back(std::move(one));
    }
    return {{"eventId", report.event_id},
            {"traceId", report.trace_id},
            {"origin", report.origin},
            {"deliveries", std::move(deliveries)},
            {"dropped", Counts(report.dropped)}};
}

Result<DeliveryReport> DeliveryReportFromJson(const Json& j) {
    if (!j.is_object()) return InvalidArgument("delivery report must be an object");
    DeliveryReport r;
    try {
        r.event_id = j.value("eventId", "");
        r.trace_id = j.value("traceId", "");
        r.origin = j.value("origin", "");
        const Json deliveries = j.value("deliveries", Json::array());
        const Json dropped = j.value("dropped", Json::object());
        for (const auto& d : deliveries) {
            Delivery out;
            out.tome = d.at("tome").get<std::string>();
            out.via_connection = d.value("viaConnection", "");
            out.event_type = d.value("eventType", "");
            out.hop = d.value("hop", std::size_t{0});
            out.handled = d.value("handled", false);
            out.from_state = d.value("fromState", "");
            out.to_state = d.value("toState", "");
            out.state_sync = d.value("stateSync", false);
            // Ids that do not parse are left out: the report is still the far side's truth.
            if (auto id = telemetry::SpanId::FromHex(d.value("spanId", ""))) out.span_id = *id;
            if (auto id = telemetry::SpanId::FromHex(d.value("parentSpanId", ""))) {
                out.parent_span_id = *id;
            }
            r.deliveries.push_back(std::move(out));
        }
        for (const auto& [reason, n] : dropped.items()) {
            r.dropped[reason] = n.get<std::uint64_t>();
        }
    } catch (const Json::exception& e) {
        return InvalidArgument(std::string("malformed delivery report: ") + e.what());
    }
    return r;
}

Json Topology::ToJson() const {
    Json node_list = Json::array();
    for (const auto& n : nodes) {
        Json node = {{"id", n.id},
                     {"state", n.state.empty() ? Json(nullptr) : Json(n.state)},
                     {"present", n.present},
                     {"connections", n.connections}};
        if (!n.endpoint.empty()) node["endpoint"] = n.endpoint;
        if (!n.circuit_state.empty()) node["circuitState"] = n.circuit_state;
        node_list.push_back(std::move(node));
    }
    Json edge_list = Json::array();
    for (const auto& e : edges) {
        edge_list.push_back({{"id", e.id},
                             {"source", e.source},
                             {"target", e.target},
                             {"direction", e.config.bidirectional ? "two-way" : "one-way"},
                             {"health", HealthName(e.health)},
                             {"createdAt", FormatRfc3339(e.created_at)},
                             {"lastActivity", FormatRfc3339(e.last_activity)},
                             {"traceId", e.trace_id}});
    }
    return {{"nodes", std::move(node_list)},
            {"edges", std::move(edge_list)},
            {"counts",
             {{"total", total},
              {"healthy", healthy},
              {"degraded", degraded},
              {"unhealthy", unhealthy}}}};
}

Json ValidationReport::ToJson() const {
    Json list = Json::array();
    for (const auto& i : issues) {
        list.push_back({{"type", i.type},
                        {"severity", i.severity},
                        {"tomes", i.tomes},
                        {"message", i.message}});
    }
    return {{"valid", valid}, {"advanced", advanced}, {"issues", std::move(list)}};
}

Json HealthReport::ToJson() const {
    Json list = Json::array();
    for (const auto& [id, health] : connections) {
        list.push_back({{"id", id}, {"health", HealthName(health)}});
    }
    return {{"total", total},
            {"healthy", healthy},
            {"degraded", degraded},
            {"unhealthy", unhealthy},
            {"connections", std::move(list)},
            {"checkedAt", FormatRfc3339(checked_at)}};
}

Json ConnectorStats::ToJson() const {
    return {{"eventsReceived", events_received},   {"deliveries", deliveries},
            {"eventsForwarded", events_forwarded}, {"statesSynced", states_synced},
            {"dropped", Counts(dropped)},          {"connections", connections}};
}

}  // namespace tome::connector
