// A Jaeger-compatible subset of the query API under /jaeger/api, in Jaeger's envelope
// {data, total, limit, offset, errors} and span model, so that Grafana's Jaeger data source and
// the Jaeger UI read the console unchanged.
#include <algorithm>
#include <map>

#include "http_context.hpp"
#include "query_params.hpp"
#include "views.hpp"

namespace tome::console::internal {
namespace {

constexpr std::size_t kDefaultLimit = 20;
constexpr std::size_t kMaxLimit = 1000;

Json Envelope(Json data, std::size_t total) {
    return {{"data", std::move(data)}, {"total", total}, {"limit", 0}, {"offset", 0}, {"errors", nullptr}};
}

api::HttpResponse Error(int status, const std::string& message) {
    return JsonResponse(status, Json{{"data", nullptr},
                                     {"total", 0},
                                     {"limit", 0},
                                     {"offset", 0},
                                     {"errors", Json::array({{{"code", status}, {"msg", message}}})}});
}

// A Jaeger tag {key, type, value} from a JSON attribute value.
Json Tag(const std::string& key, const Json& v) {
    if (v.is_boolean()) return {{"key", key}, {"type", "bool"}, {"value", v}};
    if (v.is_number_integer()) return {{"key", key}, {"type", "int64"}, {"value", v}};
    if (v.is_number()) return {{"key", key}, {"type", "float64"}, {"value", v}};
    if (v.is_string()) return {{"key", key}, {"type", "string"}, {"value", v}};
    return {{"key", key}, {"type", "string"}, {"value", Dump(v)}};
}

Json Tags(const Json& attributes) {
    Json tags = Json::array();
    for (auto it = attributes.begin(); it != attributes.end(); ++it) tags.push_back(Tag(it.key(), it.value()));
    return tags;
}

Json JaegerTrace(const TraceSpans& trace, const Store& store) {
    std::map<std::uint32_t, std::string> process_ids;
    Json processes = Json::object();
    Json spans = Json::array();
    for (const SpanView& s : trace.spans) {
        auto [it, added] = process_ids.emplace(s.header.resource_id, "p" + std::to_string(process_ids.size() + 1));
        if (added) {
            Json attributes = ResourceJson(s.header.resource_id, store);
            attributes.erase("service.name");
            processes[it->second] = {{"serviceName", std::string(store.ServiceOf(s.header.resource_id))},
                                     {"tags", Tags(attributes)}};
        }
        const std::string trace_id = Hex(s.header.trace_id.data(), 16);
        Json references = Json::array();
        if (!s.header.is_root()) {
            references.push_back(
                {{"refType", "CHILD_OF"}, {"traceID", trace_id}, {"spanID", Hex(s.header.parent_span_id.data(), 8)}});
        }
        for (const auto& link : s.LinksJson()) {
            references.push_back({{"refType", "FOLLOWS_FROM"}, {"traceID", link["traceId"]}, {"spanID", link["spanId"]}});
        }
        Json tags = Tags(s.AttributesJson());
        if (s.header.kind >= 2) tags.push_back(Tag("span.kind", std::string(KindName(s.header.kind))));
        if (s.header.status != 0) tags.push_back(Tag("otel.status_code", s.header.status == 2 ? "ERROR" : "OK"));
        if (s.header.status == kStatusError) {
            tags.push_back(Tag("error", true));
            if (!s.status_message.empty()) tags.push_back(Tag("otel.status_description", std::string(s.status_message)));
        }
        if (!s.scope_name.empty()) tags.push_back(Tag("otel.scope.name", std::string(s.scope_name)));
        if (!s.scope_version.empty()) tags.push_back(Tag("otel.scope.version", std::string(s.scope_version)));
        Json logs = Json::array();
        for (const auto& e : s.EventsJson()) {
            Json fields = Tags(e["attributes"]);
            fields.insert(fields.begin(), Tag("event", e["name"]));
            logs.push_back({{"timestamp", e["timeUs"]}, {"fields", std::move(fields)}});
        }
        spans.push_back({{"traceID", trace_id},
                         {"spanID", Hex(s.header.span_id.data(), 8)},
                         {"flags", s.header.flags & 0xFFu},
                         {"operationName", std::string(s.name)},
                         {"references", std::move(references)},
                         {"startTime", s.header.start_ns / 1000},
                         {"duration", s.header.duration_ns() / 1000},
                         {"tags", std::move(tags)},
                         {"logs", std::move(logs)},
                         {"processID", it->second},
                         {"warnings", nullptr}});
    }
    return {{"traceID", trace.spans.empty() ? std::string() : Hex(trace.spans.front().header.trace_id.data(), 16)},
            {"spans", std::move(spans)},
            {"processes", std::move(processes)},
            {"warnings", nullptr}};
}

api::HttpResponse FindTraces(HttpContext& ctx, const QueryParams& q) {
    TraceQuery query;
    query.service = q.Get("service").value_or("");
    query.operation = q.Get("operation").value_or("");
    if (auto tags = q.Get("tags"); tags && !tags->empty()) {
        Json parsed = Json::parse(*tags, nullptr, false);
        if (!parsed.is_object()) {
            return Error(400, "tags must be a JSON object of key to value, e.g. {\"http.status_code\":\"500\"}");
        }
        for (auto it = parsed.begin(); it != parsed.end(); ++it) {
            query.attributes.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : Dump(*it));
        }
    }
    for (const auto& tag : q.All("tag")) {  // the older tag=key:value form
        const auto colon = tag.find(':');
        if (colon == std::string::npos || colon == 0) return Error(400, "tag must be key:value, got '" + tag + "'");
        query.attributes.emplace_back(tag.substr(0, colon), tag.substr(colon + 1));
    }
    // Jaeger's UI puts error=true among the tags: that is the span status here.
    for (auto it = query.attributes.begin(); it != query.attributes.end();) {
        if (it->first == "error" && it->second == "true") {
            query.errors_only = true;
            it = query.attributes.erase(it);
        } else {
            ++it;
        }
    }
    auto min = q.Duration("minDuration");
    if (!min.ok()) return Error(400, min.status().message());
    auto max = q.Duration("maxDuration");
    if (!max.ok()) return Error(400, max.status().message());
    query.min_duration_ns = min->value_or(0);
    query.max_duration_ns = max->value_or(0);
    auto start = q.Integer("start", 0, 0, INT64_MAX / 2);  // microseconds
    if (!start.ok()) return Error(400, start.status().message());
    auto end = q.Integer("end", INT64_MAX / 2, 0, INT64_MAX / 2);
    if (!end.ok()) return Error(400, end.status().message());
    query.start_us = *start;
    query.end_us = *end;
    auto limit = q.Integer("limit", kDefaultLimit, 0, kMaxLimit);
    if (!limit.ok()) return Error(400, limit.status().message());
    query.limit = *limit == 0 ? kDefaultLimit : static_cast<std::size_t>(*limit);
    const TraceSearchResult found = ctx.store.spans().Search(query);
    Json data = Json::array();
    for (auto& records : ctx.store.spans().Traces(found.traces)) {
        TraceSpans trace = DecodeTrace(std::move(records), ctx.store.strings());
        if (!trace.spans.empty()) data.push_back(JaegerTrace(trace, ctx.store));
    }
    const std::size_t total = data.size();
    return JsonResponse(200, Envelope(std::move(data), total));
}

}  // namespace

api::HttpResponse HandleJaegerApi(HttpContext& ctx, const api::HttpRequest& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        api::HttpResponse r = Error(405, "the Jaeger API is read-only: use GET");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    auto q = QueryParams::Parse(request.query);
    if (!q.ok()) return Error(400, q.status().message());
    std::string_view path = request.path;
    path.remove_prefix(std::string_view("/jaeger/api/").size());
    if (path == "services") {
        Json data = Json::array();
        for (const auto& [name, last] : ctx.store.spans().Services()) data.push_back(name);
        const std::size_t n = data.size();
        return JsonResponse(200, Envelope(std::move(data), n));
    }
    if (path.starts_with("services/") && path.ends_with("/operations")) {
        auto service = DecodePathSegment(path.substr(9, path.size() - 9 - 11));
        if (!service) return Error(400, "service name in the path has a malformed percent-escape");
        Json data = Json::array();
        for (const auto& op : ctx.store.spans().Operations(*service)) data.push_back(op.name);
        const std::size_t n = data.size();
        return JsonResponse(200, Envelope(std::move(data), n));
    }
    if (path == "operations") {
        const auto service = q->Get("service");
        if (!service || service->empty()) return Error(400, "parameter 'service' is required");
        const std::string kind = q->Get("spanKind").value_or("");
        Json data = Json::array();
        for (const auto& op : ctx.store.spans().Operations(*service)) {
            if (!kind.empty() && KindName(op.kind) != kind) continue;
            data.push_back({{"name", op.name}, {"spanKind", KindName(op.kind)}});
        }
        const std::size_t n = data.size();
        return JsonResponse(200, Envelope(std::move(data), n));
    }
    if (path == "traces") return FindTraces(ctx, *q);
    if (path.starts_with("traces/")) {
        const std::string hex(path.substr(7));
        auto id = ParseTraceIdHex(hex.size() < 32 ? std::string(32 - hex.size(), '0') + hex : hex);
        if (!id) return Error(400, "trace id '" + hex + "' is not hexadecimal (at most 32 digits)");
        auto records = ctx.store.spans().Traces({*id});
        TraceSpans trace = DecodeTrace(std::move(records.front()), ctx.store.strings());
        if (trace.spans.empty()) return Error(404, "trace not found");
        return JsonResponse(200, Envelope(Json::array({JaegerTrace(trace, ctx.store)}), 1));
    }
    if (path == "dependencies") {
        auto end = q->Integer("endTs", ctx.NowMs(), 0, INT64_MAX / 2);
        if (!end.ok()) return Error(400, end.status().message());
        auto lookback = q->Integer("lookback", RedRing::kHorizonMs, 1, INT64_MAX / 4);
        if (!lookback.ok()) return Error(400, lookback.status().message());
        const std::int64_t from = std::max(*end - *lookback, *end - RedRing::kHorizonMs);
        Json data = Json::array();
        for (const auto& e : ctx.store.graph().Snapshot(from, *end).edges) {
            if (e.kind == "forward") continue;  // tomes are not Jaeger services
            auto name = [](const std::string& id) { return id.substr(id.find(':') + 1); };
            data.push_back({{"parent", name(e.source)}, {"child", name(e.target)}, {"callCount", e.red.requests}});
        }
        const std::size_t n = data.size();
        return JsonResponse(200, Envelope(std::move(data), n));
    }
    return Error(404, "no Jaeger API route /jaeger/api/" + std::string(path));
}

}  // namespace tome::console::internal
