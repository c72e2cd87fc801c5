// The console's own query API under /console/api (console/README.md documents every route).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "alert_engine.hpp"
#include "http_context.hpp"
#include "query_params.hpp"
#include "views.hpp"

namespace tome::console::internal {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;
constexpr std::int64_t kDefaultWindowMs = 15 * 60 * 1000;
constexpr std::size_t kMaxTraceLimit = 1000;
constexpr std::size_t kMaxLogLimit = 5000;
constexpr std::size_t kTraceLogs = 5000;

struct Window {
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
    std::int64_t started_ms = 0;  // when the console started: no data before it
    /// The seconds rates are divided by: the part of the window the console has been running
    /// (a window longer than the uptime would understate every rate), at least one second.
    double seconds() const {
        return std::max<double>(1.0, static_cast<double>(to_ms - std::max(from_ms, started_ms)) / 1000.0);
    }
};

// start/end (unix ms) and window (a duration, default 15 m).
Result<Window> ReadWindow(const QueryParams& q, std::int64_t now_ms, std::int64_t max_window_ms = 0) {
    auto end = q.Integer("end", now_ms, 0, INT64_MAX / 2);
    if (!end.ok()) return end.status();
    auto window = q.Duration("window");
    if (!window.ok()) return window.status();
    const std::int64_t window_ms =
        window.value() ? static_cast<std::int64_t>(**window / 1'000'000) : kDefaultWindowMs;
    auto start = q.Integer("start", *end - window_ms, 0, INT64_MAX / 2);
    if (!start.ok()) return start.status();
    if (*start >= *end) {
        return InvalidArgument("query parameters 'start' and 'end': start (" + std::to_string(*start) +
                               ") must be before end (" + std::to_string(*end) + ")");
    }
    if (max_window_ms > 0 && *end - *start > max_window_ms) {
        return InvalidArgument("query parameter 'window': at most " + std::to_string(max_window_ms / 60000) +
                               " minutes (the console keeps RED in 10 s buckets over the last hour)");
    }
    return Window{*start, *end, 0};
}

struct Route {
    std::vector<std::string> segments;  // after /console/api/
};

std::vector<std::string> Split(std::string_view path) {
    std::vector<std::string> out;
    while (!path.empty()) {
        const auto slash = path.find('/');
        out.emplace_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

// --- routes ----------------------------------------------------------------------------------

Json SignalJson(const SignalStats& s, const Json& dropped) {
    Json j{{"bytes", s.bytes},
           {"budgetBytes", s.budget_bytes},
           {"items", s.items},
           {"ingested", s.ingested},
           {"evicted", {{"budget", s.evicted}}},
           {"dropped", dropped}};
    if (s.oldest_us > 0) j["oldestUs"] = s.oldest_us;
    if (s.last_eviction_us > 0) j["lastEvictionUs"] = s.last_eviction_us;
    return j;
}

}  // namespace

Json StoreStatsJson(const HttpContext& ctx) {
    const StoreStats s = ctx.store.Stats();
    const IngestDrops d = ctx.ingestor.drops();
    Json signals{
        {"spans", SignalJson(s.spans, {{"queue_full", d.spans_queue_full}, {"invalid", s.spans.rejected}})},
        {"logs", SignalJson(s.logs, {{"queue_full", d.logs_queue_full}, {"invalid", s.logs.rejected}})},
        {"metrics", SignalJson(s.metrics, {{"series_limit", s.metrics.rejected}})},
        {"derived", {{"bytes", s.derived.bytes},
                     {"budgetBytes", s.derived.budget_bytes},
                     {"items", s.derived.items},
                     {"ingested", s.spans.ingested},
                     {"evicted", Json::object()},
                     {"dropped", {{"keys_refused", s.graph.keys_refused}, {"out_of_window", s.graph.out_of_window}}},
                     {"graph", {{"paired", s.graph.paired},
                                {"virtualEdges", s.graph.virtual_edges},
                                {"unpaired", s.graph.unpaired},
                                {"pending", s.graph.pending},
                                {"keysRefused", s.graph.keys_refused},
                                {"outOfWindow", s.graph.out_of_window}}}}}};
    Json j{{"budgetBytes", s.budget_bytes},
           {"usedBytes", s.used_bytes()},
           {"startedUs", ctx.started_us},
           {"signals", std::move(signals)},
           {"tracesEvicted", s.traces_evicted},
           {"otlpRequestsRefused", d.otlp_requests_refused},
           {"ingestQueue", {{"bytes", ctx.ingestor.queued_bytes()}, {"capacityBytes", ctx.ingestor.capacity_bytes()}}}};
    // Since when data has been evicted: the first eviction of any signal.
    std::int64_t evicted_since = 0;
    for (const SignalStats* sig : {&s.spans, &s.logs, &s.metrics}) {
        if (sig->first_eviction_at_us > 0 && (evicted_since == 0 || sig->first_eviction_at_us < evicted_since)) {
            evicted_since = sig->first_eviction_at_us;
        }
    }
    if (evicted_since > 0) j["evictedSinceUs"] = evicted_since;
    if (s.spans.oldest_us > 0) j["oldestSpanUs"] = s.spans.oldest_us;
    return j;
}

namespace {

Result<Json> Services(const HttpContext& ctx) {
    Json out = Json::array();
    for (const auto& [name, last] : ctx.store.spans().Services()) {
        out.push_back({{"name", name},
                       {"operations", ctx.store.spans().Operations(name).size()},
                       {"lastSeenUs", last}});
    }
    return out;
}

Result<Json> Operations(const HttpContext& ctx, const std::string& service) {
    Json out = Json::array();
    for (const auto& op : ctx.store.spans().Operations(service)) {
        out.push_back({{"name", op.name}, {"spanKind", KindName(op.kind)}});
    }
    return out;
}

Result<Json> SearchTraces(const HttpContext& ctx, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"service", "operation", "attr", "minDuration", "maxDuration", "errors",
                                     "start", "end", "window", "limit"});
        !st.ok()) {
        return st;
    }
    TraceQuery query;
    query.service = q.Get("service").value_or("");
    query.operation = q.Get("operation").value_or("");
    auto attrs = q.KeyValues("attr");
    if (!attrs.ok()) return attrs.status();
    query.attributes = std::move(*attrs);
    auto min = q.Duration("minDuration");
    if (!min.ok()) return min.status();
    auto max = q.Duration("maxDuration");
    if (!max.ok()) return max.status();
    query.min_duration_ns = min->value_or(0);
    query.max_duration_ns = max->value_or(0);
    if (query.max_duration_ns != 0 && query.max_duration_ns < query.min_duration_ns) {
        return InvalidArgument("query parameters 'minDuration' and 'maxDuration': the minimum is above the maximum");
    }
    auto errors = q.Flag("errors");
    if (!errors.ok()) return errors.status();
    query.errors_only = *errors;
    // Without start/window the search covers everything retained.
    if (q.Has("start") || q.Has("end") || q.Has("window")) {
        auto w = ReadWindow(q, ctx.NowMs());
        if (!w.ok()) return w.status();
        query.start_us = w->from_ms * 1000;
        query.end_us = w->to_ms * 1000 + 999;  // the whole last millisecond
    }
    auto limit = q.Integer("limit", 20, 1, kMaxTraceLimit);
    if (!limit.ok()) return limit.status();
    query.limit = static_cast<std::size_t>(*limit);

    const TraceSearchResult found = ctx.store.spans().Search(query);
    auto records = ctx.store.spans().Traces(found.traces);
    Json traces = Json::array();
    for (auto& r : records) {
        Json summary = TraceSummaryJson(DecodeTrace(std::move(r), ctx.store.strings()), ctx.store);
        if (!summary.is_null()) traces.push_back(std::move(summary));
    }
    return Json{{"traces", std::move(traces)}, {"limit", query.limit}, {"more", found.more}};
}

Result<Json> OneTrace(const HttpContext& ctx, const std::string& hex) {
    auto id = ParseTraceIdHex(hex);
    if (!id) return InvalidArgument("trace id '" + hex + "' must be 32 hex digits");
    auto records = ctx.store.spans().Traces({*id});
    TraceSpans trace = DecodeTrace(std::move(records.front()), ctx.store.strings());
    LogQuery lq;
    lq.trace_id = *id;
    lq.limit = kTraceLogs;
    LogSearchResult logs = ctx.store.logs().Search(lq);
    if (trace.spans.empty() && logs.records.empty()) {
        return NotFound("trace " + hex + " is not in the console's store (never received, or evicted)");
    }
    Json summary = TraceSummaryJson(trace, ctx.store);
    if (summary.is_null()) summary = Json{{"traceId", Hex(id->data(), 16)}, {"spanCount", 0}, {"incomplete", true}};
    Json spans = Json::array();
    Json resources = Json::object();
    for (const auto& s : trace.spans) {
        spans.push_back(SpanJson(s, ctx.store));
        const std::string rid = std::to_string(s.header.resource_id);
        if (!resources.contains(rid)) resources[rid] = ResourceJson(s.header.resource_id, ctx.store);
    }
    std::vector<LogView> views;
    for (const auto& r : logs.records) {
        if (auto v = LogView::Parse(r, ctx.store.strings())) views.push_back(*v);
    }
    std::sort(views.begin(), views.end(), [](const LogView& a, const LogView& b) {
        return a.header.effective_time_ns() < b.header.effective_time_ns();
    });
    Json log_list = Json::array();
    for (const auto& v : views) log_list.push_back(LogJson(v, ctx.store));
    summary["spans"] = std::move(spans);
    summary["resources"] = std::move(resources);
    summary["logs"] = std::move(log_list);
    summary["logsTruncated"] = logs.more;
    return summary;
}

Result<Json> GraphJson(const HttpContext& ctx, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"window", "end", "start"}); !st.ok()) return st;
    auto w = ReadWindow(q, ctx.NowMs(), RedRing::kHorizonMs);
    if (!w.ok()) return w.status();
    w->started_ms = ctx.started_us / 1000;
    const Graph g = ctx.store.graph().Snapshot(w->from_ms, w->to_ms);
    Json nodes = Json::array();
    for (const auto& n : g.nodes) {
        Json j = RedJson(n.red, w->seconds());
        j["id"] = n.id;
        j["name"] = n.name;
        j["kind"] = n.kind;
        nodes.push_back(std::move(j));
    }
    Json edges = Json::array();
    for (const auto& e : g.edges) {
        Json j = RedJson(e.red, w->seconds());
        j["id"] = e.id();
        j["source"] = e.source;
        j["target"] = e.target;
        j["kind"] = e.kind;
        edges.push_back(std::move(j));
    }
    return Json{{"windowMs", w->to_ms - w->from_ms}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
}

Result<Json> RedSeriesJson(const HttpContext& ctx, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"service", "operation", "edge", "window", "end", "start", "step"}); !st.ok()) {
        return st;
    }
    auto w = ReadWindow(q, ctx.NowMs(), RedRing::kHorizonMs);
    if (!w.ok()) return w.status();
    auto step = q.Duration("step");
    if (!step.ok()) return step.status();
    std::int64_t step_ms = step.value() ? static_cast<std::int64_t>(**step / 1'000'000)
                                        : std::max<std::int64_t>(RedRing::kBucketMs, (w->to_ms - w->from_ms) / 60);
    step_ms = std::max<std::int64_t>(RedRing::kBucketMs, step_ms - step_ms % RedRing::kBucketMs);
    const auto service = q.Get("service");
    const auto edge = q.Get("edge");
    if (!service && !edge) return InvalidArgument("give query parameter 'service' (and optionally 'operation') or 'edge'");
    const std::int64_t from = w->from_ms - w->from_ms % RedRing::kBucketMs;
    const std::vector<RedTotals> series =
        edge ? ctx.store.graph().EdgeSeries(*edge, from, w->to_ms, step_ms)
             : ctx.store.graph().ServiceSeries(*service, q.Get("operation").value_or(""), from, w->to_ms, step_ms);
    Json points = Json::array();
    RedTotals total;
    for (std::size_t i = 0; i < series.size(); ++i) {
        Json p = RedJson(series[i], static_cast<double>(step_ms) / 1000.0);
        p["t"] = from + static_cast<std::int64_t>(i) * step_ms;
        points.push_back(std::move(p));
        total.Merge(series[i]);
    }
    w->started_ms = ctx.started_us / 1000;
    return Json{{"stepMs", step_ms}, {"points", std::move(points)}, {"total", RedJson(total, w->seconds())}};
}

Result<Json> OperationsRed(const HttpContext& ctx, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"service", "window", "end", "start"}); !st.ok()) return st;
    auto w = ReadWindow(q, ctx.NowMs(), RedRing::kHorizonMs);
    if (!w.ok()) return w.status();
    w->started_ms = ctx.started_us / 1000;
    Json out = Json::array();
    for (const auto& op : ctx.store.graph().Operations(q.Get("service").value_or(""), w->from_ms, w->to_ms)) {
        Json j = RedJson(op.red, w->seconds());
        j["service"] = op.service;
        j["operation"] = op.operation;
        j["spanKind"] = KindName(op.kind);
        out.push_back(std::move(j));
    }
    return out;
}

std::string_view KindText(MetricKind k) {
    switch (k) {
        case MetricKind::kSum: return "sum";
        case MetricKind::kGauge: return "gauge";
        case MetricKind::kHistogram: return "histogram";
    }
    return "gauge";
}

Result<Json> MetricList(const HttpContext& ctx) {
    struct Info {
        const SeriesInfo* first = nullptr;
        std::set<std::string> services;
        std::size_t series = 0;
    };
    std::map<std::string, Info> by_name;
    for (const SeriesInfo* s : ctx.store.metrics().AllSeries()) {
        Info& info = by_name[s->name];
        if (info.first == nullptr) info.first = s;
        info.services.insert(std::string(ctx.store.ServiceOf(s->resource_id)));
        ++info.series;
    }
    Json out = Json::array();
    for (const auto& [name, info] : by_name) {
        out.push_back({{"name", name},
                       {"description", info.first->description},
                       {"unit", info.first->unit},
                       {"type", KindText(info.first->kind)},
                       {"monotonic", info.first->monotonic},
                       {"services", info.services},
                       {"series", info.series}});
    }
    return out;
}

Json PointsJson(const SeriesInfo& info, const std::vector<MetricPoint>& points) {
    Json out = Json::array();
    const bool delta = info.temporality == Temporality::kDelta;
    const MetricPoint* prev = nullptr;
    for (const auto& p : points) {
        const double t_ms = static_cast<double>(p.time_ns) / 1e6;
        Json j{{"t", static_cast<std::int64_t>(t_ms)}};
        // The interval this point covers beyond the previous one (cumulative), or its own (delta).
        const bool continues = !delta && prev != nullptr && prev->start_ns == p.start_ns && p.time_ns > prev->time_ns;
        const double interval_s =
            static_cast<double>(p.time_ns - (continues ? prev->time_ns : std::min(p.start_ns, p.time_ns))) / 1e9;
        if (info.kind == MetricKind::kHistogram) {
            std::vector<std::uint64_t> counts = p.bucket_counts;
            std::uint64_t count = p.count;
            double sum = p.sum;
            if (continues && prev->bounds == p.bounds && prev->count <= p.count) {
                for (std::size_t i = 0; i < counts.size() && i < prev->bucket_counts.size(); ++i) {
                    counts[i] = counts[i] >= prev->bucket_counts[i] ? counts[i] - prev->bucket_counts[i] : 0;
                }
                count -= prev->count;
                sum -= prev->sum;
            }
            j["count"] = count;
            j["sum"] = sum;
            j["rate"] = interval_s > 0 ? static_cast<double>(count) / interval_s : 0.0;
            j["p50"] = BucketQuantile(p.bounds, counts, 0.50);
            j["p95"] = BucketQuantile(p.bounds, counts, 0.95);
            j["p99"] = BucketQuantile(p.bounds, counts, 0.99);
            Json ex = Json::array();
            for (const auto& e : p.exemplars) {
                if (IsZero(e.trace_id)) continue;
                if (continues && e.time_ns <= prev->time_ns) continue;  // shown with the earlier point
                ex.push_back({{"t", e.time_ns / 1'000'000},
                              {"value", e.value},
                              {"traceId", Hex(e.trace_id.data(), 16)},
                              {"spanId", Hex(e.span_id.data(), 8)}});
            }
            j["exemplars"] = std::move(ex);
        } else if (info.kind == MetricKind::kSum) {
            j["value"] = p.value;
            double increase = delta ? p.value : (continues && p.value >= prev->value ? p.value - prev->value : p.value);
            j["rate"] = interval_s > 0 ? increase / interval_s : 0.0;
        } else {
            j["value"] = p.value;
        }
        out.push_back(std::move(j));
        prev = &p;
    }
    return out;
}

Result<Json> MetricSeriesJson(const HttpContext& ctx, const std::string& name, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"window", "end", "start", "service", "attr"}); !st.ok()) return st;
    auto w = ReadWindow(q, ctx.NowMs());
    if (!w.ok()) return w.status();
    auto attrs = q.KeyValues("attr");
    if (!attrs.ok()) return attrs.status();
    const auto service = q.Get("service");
    const auto points = ctx.store.metrics().Points(name, w->from_ms * 1000, w->to_ms * 1000 + 999);
    Json series = Json::array();
    const SeriesInfo* any = nullptr;
    for (const SeriesInfo* s : ctx.store.metrics().AllSeries()) {
        if (s->name == name) {
            any = s;
            break;
        }
    }
    if (any == nullptr) return NotFound("metric '" + name + "' has never been received");
    for (const auto& [id, list] : points) {
        const SeriesInfo* info = ctx.store.metrics().Series(id);
        if (info == nullptr) continue;
        const std::string svc(ctx.store.ServiceOf(info->resource_id));
        if (service && *service != svc) continue;
        bool match = true;
        for (const auto& [k, v] : *attrs) {
            auto it = info->attributes.find(k);
            if (it == info->attributes.end()) {
                match = false;
            } else {
                const std::string text = it->is_string() ? it->get<std::string>() : Dump(*it);
                match = match && text == v;
            }
        }
        if (!match) continue;
        series.push_back({{"service", svc}, {"attributes", info->attributes}, {"points", PointsJson(*info, list)}});
    }
    return Json{{"name", name},
                {"description", any->description},
                {"unit", any->unit},
                {"type", KindText(any->kind)},
                {"monotonic", any->monotonic},
                {"series", std::move(series)}};
}

Result<Json> SearchLogs(const HttpContext& ctx, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"q", "severity", "traceId", "spanId", "service", "attr", "start", "end",
                                     "window", "limit"});
        !st.ok()) {
        return st;
    }
    LogQuery query;
    ParseSearchText(q.Get("q").value_or(""), query);
    if (auto sev = q.Get("severity"); sev && !sev->empty()) {
        static const std::pair<const char*, int> kLevels[] = {{"trace", 1}, {"debug", 2}, {"info", 3},
                                                              {"warn", 4},  {"error", 5}, {"fatal", 6}};
        int range = 0;
        for (const auto& [name, r] : kLevels) {
            if (*sev == name) range = r;
        }
        if (range == 0) {
            return InvalidArgument("query parameter 'severity': '" + *sev +
                                   "' is not a level (trace, debug, info, warn, error, fatal)");
        }
        query.min_severity_range = range;
    }
    if (auto t = q.Get("traceId"); t && !t->empty()) {
        query.trace_id = ParseTraceIdHex(*t);
        if (!query.trace_id) return InvalidArgument("query parameter 'traceId': '" + *t + "' is not 32 hex digits");
    }
    if (auto s = q.Get("spanId"); s && !s->empty()) {
        query.span_id = ParseSpanIdHex(*s);
        if (!query.span_id) return InvalidArgument("query parameter 'spanId': '" + *s + "' is not 16 hex digits");
    }
    query.service = q.Get("service").value_or("");
    auto attrs = q.KeyValues("attr");
    if (!attrs.ok()) return attrs.status();
    query.attributes = std::move(*attrs);
    if (q.Has("start") || q.Has("end") || q.Has("window")) {
        auto w = ReadWindow(q, ctx.NowMs());
        if (!w.ok()) return w.status();
        query.start_us = w->from_ms * 1000;
        query.end_us = w->to_ms * 1000 + 999;  // the whole last millisecond
    }
    auto limit = q.Integer("limit", 100, 1, kMaxLogLimit);
    if (!limit.ok()) return limit.status();
    query.limit = static_cast<std::size_t>(*limit);
    const LogSearchResult found = ctx.store.logs().Search(query);
    Json logs = Json::array();
    for (const auto& r : found.records) {
        if (auto v = LogView::Parse(r, ctx.store.strings())) logs.push_back(LogJson(*v, ctx.store));
    }
    return Json{{"logs", std::move(logs)}, {"limit", query.limit}, {"more", found.more}};
}

Result<Json> Running(const HttpContext& ctx, const QueryParams& q) {
    auto limit = q.Integer("limit", 500, 1, 10000);
    if (!limit.ok()) return limit.status();
    const auto now_ns = static_cast<std::uint64_t>(ctx.NowMs()) * 1'000'000;
    Json spans = Json::array();
    for (const auto& r : ctx.running.List(static_cast<std::size_t>(*limit))) {
        std::string service = "unknown_service";
        if (r.resource != nullptr) {
            if (const auto* v = r.resource->Find("service.name")) {
                if (const auto* s = std::get_if<std::string>(v)) service = *s;
            }
        }
        Json j{{"traceId", Hex(r.trace_id.data(), 16)},
               {"spanId", Hex(r.span_id.data(), 8)},
               {"name", r.name},
               {"kind", KindName(r.kind)},
               {"service", service},
               {"startUs", r.start_ns / 1000},
               {"elapsedUs", now_ns > r.start_ns ? (now_ns - r.start_ns) / 1000 : 0}};
        if (!IsZero(r.parent_span_id)) j["parentSpanId"] = Hex(r.parent_span_id.data(), 8);
        spans.push_back(std::move(j));
    }
    return Json{{"spans", std::move(spans)}, {"notTracked", ctx.running.not_tracked()}};
}

Result<Json> Network(const HttpContext& ctx) {
    NetworkView view;
    {
        std::lock_guard lock(ctx.network_mu);
        view = ctx.network;
    }
    if (!view) return Json{{"tomes", Json::array()}, {"connections", Json::array()}};
    return view();
}

Result<Json> Dispatch(HttpContext& ctx, const std::vector<std::string>& seg, const QueryParams& q) {
    const std::size_t n = seg.size();
    const std::string& first = n > 0 ? seg[0] : std::string();
    if (n == 1 && first == "stats") return StoreStatsJson(ctx);
    if (n == 1 && first == "services") return Services(ctx);
    if (n == 3 && first == "services" && seg[2] == "operations") {
        auto service = DecodePathSegment(seg[1]);
        if (!service) return InvalidArgument("service name in the path has a malformed percent-escape");
        return Operations(ctx, *service);
    }
    if (n == 1 && first == "traces") return SearchTraces(ctx, q);
    if (n == 2 && first == "traces") return OneTrace(ctx, seg[1]);
    if (n == 1 && first == "graph") return GraphJson(ctx, q);
    if (n == 1 && first == "red") return RedSeriesJson(ctx, q);
    if (n == 1 && first == "operations") return OperationsRed(ctx, q);
    if (n == 1 && first == "metrics") return MetricList(ctx);
    if (n == 2 && first == "metrics") {
        auto name = DecodePathSegment(seg[1]);
        if (!name) return InvalidArgument("metric name in the path has a malformed percent-escape");
        return MetricSeriesJson(ctx, *name, q);
    }
    if (n == 1 && first == "logs") return SearchLogs(ctx, q);
    if (n == 1 && first == "running") return Running(ctx, q);
    if (n == 1 && first == "network") return Network(ctx);
    return NotFound("no console API route /console/api/" + [&] {
        std::string p;
        for (std::size_t i = 0; i < n; ++i) p += (i ? "/" : "") + seg[i];
        return p;
    }());
}

}  // namespace

api::HttpResponse ConsoleOk(Json data, SteadyTime started) {
    const double ms =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() /
        1000.0;
    return JsonResponse(200, Json{{"success", true}, {"data", std::move(data)}, {"duration", ms}});
}

api::HttpResponse ConsoleError(const Status& status) {
    int http = 500;
    switch (status.code()) {
        case Code::kInvalidArgument: http = 400; break;
        case Code::kNotFound: http = 404; break;
        case Code::kResourceExhausted: http = 429; break;
        case Code::kUnavailable: http = 503; break;
        case Code::kAborted: http = 502; break;
        case Code::kUnimplemented: http = 501; break;
        default: http = 500; break;
    }
    return JsonResponse(http, Json{{"success", false},
                                   {"error", {{"code", CodeName(status.code())}, {"message", status.message()}}}});
}

api::HttpResponse JsonResponse(int status, const Json& body) {
    api::HttpResponse r;
    r.status = status;
    r.body = Dump(body);
    r.content_type = "application/json";
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

namespace {

api::HttpResponse LiveStreamResponse(HttpContext& ctx, const QueryParams& q) {
    if (Status st = q.RejectUnknown({"signals"}); !st.ok()) return ConsoleError(st);
    bool traces = true, logs = true;
    if (auto signals = q.Get("signals"); signals && !signals->empty()) {
        traces = logs = false;
        std::string_view rest = *signals;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view one = rest.substr(0, comma);
            if (one == "traces") traces = true;
            else if (one == "logs") logs = true;
            else {
                return ConsoleError(InvalidArgument("query parameter 'signals': '" + std::string(one) +
                                                    "' is not traces or logs"));
            }
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    auto stream = ctx.live != nullptr ? ctx.live->Open(traces, logs) : nullptr;
    if (!stream) {
        api::HttpResponse r = ConsoleError(Unavailable("too many live streams are open; retry later"));
        r.headers.emplace_back("Retry-After", "5");
        return r;
    }
    api::HttpResponse r;
    r.status = 200;
    r.content_type = "text/event-stream";
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("X-Accel-Buffering", "no");
    r.stream = std::move(stream);
    return r;
}

// 405 for anything but GET and HEAD on a read-only route; nullopt when the method is fine.
std::optional<api::HttpResponse> RefuseWrites(const api::HttpRequest& request, std::string_view what) {
    if (request.method == "GET" || request.method == "HEAD") return std::nullopt;
    api::HttpResponse r = ConsoleError(InvalidArgument(std::string(what) + " read-only: use GET"));
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
}

}  // namespace

api::HttpResponse HandleConsoleApi(HttpContext& ctx, const api::HttpRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    if (auto refused = RefuseWrites(request, "the console API is")) return std::move(*refused);
    constexpr std::string_view kPrefix = "/console/api/";
    const std::string_view rest = std::string_view(request.path).substr(kPrefix.size());
    auto q = QueryParams::Parse(request.query);
    if (!q.ok()) return ConsoleError(q.status());
    if (rest == "stream") return LiveStreamResponse(ctx, *q);
    Result<Json> data = Dispatch(ctx, Split(rest), *q);
    if (!data.ok()) return ConsoleError(data.status());
    return ConsoleOk(std::move(*data), started);
}

api::HttpResponse HandleAlertsApi(HttpContext& ctx, const api::HttpRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    if (auto refused = RefuseWrites(request, "alerts are")) return std::move(*refused);
    if (ctx.alerts == nullptr) return ConsoleError(NotFound("alerting is off in this process"));
    return ConsoleOk(ctx.alerts->StateJson(ctx.NowMs()), started);
}

}  // namespace tome::console::internal
