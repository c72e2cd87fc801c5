#include "views.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace tome::console::internal {
namespace {

std::string IdHex(const auto& id) { return Hex(id.data(), id.size()); }

}  // namespace

std::string Dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

TraceSpans DecodeTrace(std::vector<std::string> records, const StringTable& strings) {
    TraceSpans t;
    t.records = std::move(records);
    t.spans.reserve(t.records.size());
    std::set<SpanIdBytes> seen;
    for (const auto& r : t.records) {
        auto v = SpanView::Parse(r, strings);
        // A span stored twice (an OTLP sender retried) is shown once.
        if (v && seen.insert(v->header.span_id).second) t.spans.push_back(*v);
    }
    std::sort(t.spans.begin(), t.spans.end(), [](const SpanView& a, const SpanView& b) {
        return a.header.start_ns != b.header.start_ns ? a.header.start_ns < b.header.start_ns
                                                      : a.header.end_ns > b.header.end_ns;
    });
    return t;
}

Json TraceSummaryJson(const TraceSpans& trace, const Store& store) {
    if (trace.spans.empty()) return nullptr;
    std::set<SpanIdBytes> ids;
    for (const auto& s : trace.spans) ids.insert(s.header.span_id);
    std::uint64_t start = UINT64_MAX, end = 0;
    std::size_t errors = 0;
    const SpanView* root = nullptr;
    bool incomplete = false;
    std::map<std::string, std::pair<std::size_t, std::size_t>> services;  // spans, errors
    for (const auto& s : trace.spans) {
        start = std::min(start, s.header.start_ns);
        end = std::max(end, s.header.end_ns);
        const bool error = s.header.status == kStatusError;
        errors += error ? 1 : 0;
        auto& svc = services[std::string(store.ServiceOf(s.header.resource_id))];
        ++svc.first;
        svc.second += error ? 1 : 0;
        const bool has_parent_here = !s.header.is_root() && ids.count(s.header.parent_span_id) > 0;
        // A parent that is not here: never received, evicted, or still in flight.
        if (!s.header.is_root() && !has_parent_here) incomplete = true;
        if (!has_parent_here && (root == nullptr || (s.header.is_root() && !root->header.is_root()))) root = &s;
    }
    if (root == nullptr || !root->header.is_root()) incomplete = true;
    Json service_list = Json::array();
    for (const auto& [name, counts] : services) {
        service_list.push_back({{"name", name}, {"spanCount", counts.first}, {"errorCount", counts.second}});
    }
    return {{"traceId", IdHex(trace.spans.front().header.trace_id)},
            {"rootService", root ? std::string(store.ServiceOf(root->header.resource_id)) : std::string()},
            {"rootName", root ? std::string(root->name) : std::string()},
            {"startUs", start / 1000},
            {"durationUs", (end - start) / 1000},
            {"spanCount", trace.spans.size()},
            {"errorCount", errors},
            {"services", std::move(service_list)},
            {"incomplete", incomplete}};
}

Json SpanJson(const SpanView& s, const Store& store) {
    Json status{{"code", StatusName(s.header.status)}};
    if (!s.status_message.empty()) status["message"] = std::string(s.status_message);
    Json scope{{"name", std::string(s.scope_name)}};
    if (!s.scope_version.empty()) scope["version"] = std::string(s.scope_version);
    Json j{{"spanId", IdHex(s.header.span_id)},
           {"name", std::string(s.name)},
           {"kind", KindName(s.header.kind)},
           {"service", std::string(store.ServiceOf(s.header.resource_id))},
           {"resource", std::to_string(s.header.resource_id)},
           {"startUs", s.header.start_ns / 1000},
           {"durationUs", s.header.duration_ns() / 1000},
           {"status", std::move(status)},
           {"attributes", s.AttributesJson()},
           {"events", s.EventsJson()},
           {"links", s.LinksJson()},
           {"scope", std::move(scope)}};
    if (!s.header.is_root()) j["parentSpanId"] = IdHex(s.header.parent_span_id);
    if (!s.trace_state.empty()) j["traceState"] = std::string(s.trace_state);
    if (s.dropped_attributes + s.dropped_events + s.dropped_links > 0) {
        j["dropped"] = {{"attributes", s.dropped_attributes},
                        {"events", s.dropped_events},
                        {"links", s.dropped_links}};
    }
    return j;
}

Json LogJson(const LogView& l, const Store& store) {
    const LogHeader& h = l.header;
    Json j{{"timeUs", h.effective_time_ns() / 1000},
           {"observedTimeUs", h.observed_time_ns / 1000},
           {"severityNumber", h.severity},
           {"severityText", l.severity_text.empty() ? std::string(SeverityRangeName(SeverityRange(h.severity)))
                                                    : std::string(l.severity_text)},
           {"body", l.BodyJson()},
           {"attributes", l.AttributesJson()},
           {"service", std::string(store.ServiceOf(h.resource_id))}};
    if (!IsZero(h.trace_id)) j["traceId"] = IdHex(h.trace_id);
    if (!IsZero(h.span_id)) j["spanId"] = IdHex(h.span_id);
    if (!l.scope_name.empty()) {
        Json scope{{"name", std::string(l.scope_name)}};
        if (!l.scope_version.empty()) scope["version"] = std::string(l.scope_version);
        j["scope"] = std::move(scope);
    }
    if (!l.event_name.empty()) j["eventName"] = std::string(l.event_name);
    return j;
}

Json RedJson(const RedTotals& red, double seconds) {
    const double ms = 1.0 / 1000.0;
    return {{"requests", red.requests},
            {"errors", red.errors},
            {"rate", seconds > 0 ? static_cast<double>(red.requests) / seconds : 0.0},
            {"errorRate", red.requests ? static_cast<double>(red.errors) / static_cast<double>(red.requests) : 0.0},
            {"p50Ms", red.latency.Quantile(0.50) * ms},
            {"p95Ms", red.latency.Quantile(0.95) * ms},
            {"p99Ms", red.latency.Quantile(0.99) * ms}};
}

Json ResourceJson(std::uint32_t resource_id, const Store& store) {
    const ResourceEntry* r = store.resources().Get(resource_id);
    return r != nullptr ? r->attributes : Json::object();
}

}  // namespace tome::console::internal
