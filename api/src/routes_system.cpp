// Routes over the process itself: health, JSON metrics, feature toggles, trace history and the
// component registry.
#include "request_body.hpp"
#include "tome/api/proxy.hpp"
#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/api/self_stats.hpp"

namespace tome::api {
namespace {

Json TogglesJson(const FeatureToggles& toggles) {
    Json out = Json::object();
    for (const auto& [name, on] : toggles.Snapshot()->values()) out[name] = on;
    return out;
}

Result<bool> EnabledField(const Json& value, const std::string& where) {
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_object()) {
        auto it = value.find("enabled");
        if (it != value.end() && it->is_boolean()) return it->get<bool>();
    }
    return InvalidArgument(where + " must be a boolean or {\"enabled\": <boolean>}");
}

}  // namespace

void Proxy::AddSystemRoutes() {
    auto& s = services_;
    router_.Add("GET", "/api/health", "health_check", [this, &s](Call&) -> Result<Reply> {
        const connector::HealthReport health = s.connector.CheckHealth();
        const char* status = health.unhealthy > 0   ? "unhealthy"
                             : health.degraded > 0 ? "degraded"
                                                   : "healthy";
        Json data = {{"status", status},
                     {"service", options_.service_name},
                     {"version", options_.version},
                     {"environment", options_.environment},
                     {"uptimeSeconds", std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::steady_clock::now() - started_)
                                           .count()},
                     {"tomes", s.tomes.size()},
                     {"connections", health.ToJson()},
                     {"healthMonitoring", s.toggles.IsEnabled(toggles::kHealthMonitoring)}};
        if (s.health_monitor != nullptr) data["lastHealthCheck"] = s.health_monitor->LastReport();
        return Reply{200, data};
    });
    router_.Add("GET", "/api/metrics", "metrics_query", [this, &s](Call&) -> Result<Reply> {
        std::uint64_t events = 0, transitions = 0;
        const auto tomes = s.tomes.List();
        for (const auto& t : tomes) {
            const auto snap = t->Snapshot();
            events += snap.events_received;
            transitions += snap.transitions;
        }
        auto& history = s.robot_copy.history();
        return Reply{200,
                     {{"requests", StatsJson()},
                      {"connector", s.connector.stats().ToJson()},
                      {"tomes", {{"count", tomes.size()},
                                 {"eventsReceived", events},
                                 {"transitions", transitions}}},
                      {"history", {{"messages", history.size()},
                                   {"traces", history.trace_count()},
                                   {"evicted", history.evicted()}}},
                      {"uptimeSeconds", std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::steady_clock::now() - started_)
                                            .count()}}};
    });
    router_.Add("GET", "/api/toggles", "toggle_management", [&s](Call&) -> Result<Reply> {
        return Reply{200, {{"toggles", TogglesJson(s.toggles)},
                           {"selectedBackend", s.robot_copy.SelectedBackend()}}};
    });
    router_.Add("GET", "/api/toggles/{name}", "toggle_management", [&s](Call& call) -> Result<Reply> {
        const std::string& name = call.params.at("name");
        auto snap = s.toggles.Snapshot();
        if (!snap->Contains(name)) return NotFound("toggle '" + name + "' does not exist");
        return Reply{200, {{"name", name}, {"enabled", snap->IsEnabled(name)}}};
    });
    router_.Add("PUT", "/api/toggles/{name}", "toggle_management", [&s](Call& call) -> Result<Reply> {
        const std::string& name = call.params.at("name");
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"enabled"}); !st.ok()) return st;
        auto enabled = EnabledField(*body, "body");
        if (!enabled.ok()) return enabled.status();
        const bool previous = s.toggles.IsEnabled(name);
        if (auto st = s.toggles.Set(name, *enabled); !st.ok()) return st;
        call.before = {{"enabled", previous}};
        call.changes.push_back({NetworkChange::Kind::kToggleChanged, name, {{"enabled", *enabled}}});
        return Reply{200, {{"name", name}, {"enabled", *enabled}, {"previous", previous}}};
    });
    router_.Add("PUT", "/api/toggles", "toggle_management", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        const Json& values = body->contains("toggles") ? (*body)["toggles"] : *body;
        if (!values.is_object() || values.empty()) {
            return InvalidArgument("expected {\"toggles\": {\"<name>\": <boolean>, ...}}");
        }
        // Validate everything first so that a bad entry changes nothing.
        auto snap = s.toggles.Snapshot();
        std::vector<std::pair<std::string, bool>> changes;
        for (auto it = values.begin(); it != values.end(); ++it) {
            if (!snap->Contains(it.key())) return NotFound("toggle '" + it.key() + "' does not exist");
            auto enabled = EnabledField(*it, "toggles." + it.key());
            if (!enabled.ok()) return enabled.status();
            changes.emplace_back(it.key(), *enabled);
        }
        call.before = Json::object();
        for (const auto& [name, on] : changes) {
            call.before[name] = snap->IsEnabled(name);
            (void)s.toggles.Set(name, on);
            call.changes.push_back({NetworkChange::Kind::kToggleChanged, name, {{"enabled", on}}});
            call.target += (call.target.empty() ? "" : ",") + name;
        }
        return Reply{200, {{"toggles", TogglesJson(s.toggles)}}};
    });
    router_.Add("GET", "/api/traces/{traceId}", "trace_query", [&s](Call& call) -> Result<Reply> {
        const std::string& id = call.params.at("traceId");
        auto parsed = telemetry::TraceId::FromHex(id);
        if (!parsed || !parsed->IsValid()) {
            return InvalidArgument("traceId '" + id +
                                   "' must be 32 lowercase hex characters, not all zero");
        }
        auto trace = s.robot_copy.history().FullTrace(id);
        if (!trace.ok()) return trace.status();
        return Reply{200, *trace};
    });
    router_.Add("POST", "/api/messages", "backend_call", [&s](Call& call) -> Result<Reply> {
        auto body = internal::BodyObject(call.body, true);
        if (!body.ok()) return body.status();
        if (auto st = internal::RejectUnknownFields(*body, {"action", "data"}); !st.ok()) return st;
        auto action = internal::RequireString(*body, "action");
        if (!action.ok()) return action.status();
        Json data = body->value("data", Json::object());
        auto response = s.robot_copy.SendMessage(*action, data,
                                                 {call.context.trace_id, call.context.span_id});
        if (!response.ok()) return response.status();
        return Reply{200, {{"backend", s.robot_copy.SelectedBackend()}, {"response", *response}}};
    });
    router_.Add("GET", "/api/telemetry", "metrics_query", [this, &s](Call&) -> Result<Reply> {
        const telemetry::SelfStatsSnapshot t = telemetry::DefaultSelfStats().Snapshot();
        const RequestInstrumentationStats r = instrumentation_->stats();
        Reply reply{200,
                    {{"tracing", s.toggles.IsEnabled(toggles::kTracing)},
                     {"spans",
                      {{"started", t.spans_started},
                       {"sampled", t.spans_sampled},
                       {"ended", t.spans_ended},
                       {"exported", t.spans_exported},
                       {"dropped", {{"total", t.dropped_total()},
                                    {"queueFull", t.dropped_queue_full},
                                    {"exportFailed", t.dropped_export_failed},
                                    {"shutdown", t.dropped_shutdown},
                                    {"persistentQueueFull", t.dropped_persistent_queue_full}}},
                       {"rejectedByReceiver", t.rejected_by_receiver}}},
                     {"exports", {{"failures", t.export_failures}, {"retries", t.export_retries}}},
                     {"requests", {{"instrumented", r.requests},
                                   {"measurementsRecorded", r.measurements}}},
                     {"service", options_.service_name}}};
        if (s.telemetry_accounting) reply.data["pipeline"] = s.telemetry_accounting();
        return reply;
    });
    router_.Add("GET", "/api/machines", "topology_query", [&s](Call&) -> Result<Reply> {
        Json list = Json::array();
        for (const auto& c : s.robot_copy.components().List()) list.push_back(robotcopy::ToJson(c));
        return Reply{200, {{"machines", list}, {"count", list.size()}}};
    });
}

}  // namespace tome::api
