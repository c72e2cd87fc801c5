// Prometheus names (golden table), text 0.0.4 and OpenMetrics rendering (golden files), label
// escaping and Accept-header negotiation. Set TOME_UPDATE_GOLDEN=1 to rewrite the golden files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "metrics_test_util.hpp"
#include "tome/telemetry/api/utf8.hpp"
#include "tome/telemetry/metrics/prometheus.hpp"

namespace tome::telemetry::metrics {
namespace {

std::string GoldenPath(const std::string& name) {
    return std::string(TOME_METRICS_GOLDEN_DIR) + "/" + name;
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void ExpectGolden(const std::string& name, const std::string& actual) {
    if (std::getenv("TOME_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(GoldenPath(name), std::ios::binary) << actual;
        return;
    }
    EXPECT_EQ(actual, ReadFile(GoldenPath(name))) << "golden file " << name;
}

MetricType ParseType(const std::string& s) {
    if (s == "histogram") return MetricType::kHistogram;
    if (s == "gauge") return MetricType::kGauge;
    return MetricType::kSum;
}

// Each line of prometheus_names.txt: otel_name|unit|kind|expected, where kind is counter
// (monotonic sum), updown (non-monotonic sum), gauge or histogram. '#' starts a comment.
TEST(PrometheusNames, MatchGoldenTable) {
    std::istringstream table(ReadFile(GoldenPath("prometheus_names.txt")));
    std::string line;
    int checked = 0;
    while (std::getline(table, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cols;
        std::stringstream ls(line);
        for (std::string col; std::getline(ls, col, '|');) cols.push_back(col);
        if (line.back() == '|') cols.emplace_back();
        ASSERT_EQ(cols.size(), 4u) << line;
        const bool counter = cols[2] == "counter";
        const MetricType type =
            counter || cols[2] == "updown" ? MetricType::kSum : ParseType(cols[2]);
        EXPECT_EQ(PrometheusMetricName(cols[0], cols[1], type, counter), cols[3]) << line;
        ++checked;
    }
    EXPECT_GE(checked, 20);
}

TEST(PrometheusNames, LabelNames) {
    EXPECT_EQ(PrometheusLabelName("http.request.method"), "http_request_method");
    EXPECT_EQ(PrometheusLabelName("a..b"), "a_b");
    EXPECT_EQ(PrometheusLabelName("2xx"), "_2xx");
    EXPECT_EQ(PrometheusLabelName("_private"), "_private");
}

MetricsData Sample() {
    MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(std::vector<trace::Attribute>{
        {"service.name", std::string("tome")}, {"host.name", std::string("h1")}});
    ScopeMetrics s;
    s.scope = {"tome.server", "0.1.0", {}};
    Metric c;
    c.name = "http.server.requests";
    c.description = "Requests handled";
    c.unit = "{request}";
    c.type = MetricType::kSum;
    c.is_monotonic = true;
    c.number_points.push_back({{{"http.request.method", std::string("GET")},
                                {"http.route", std::string("/api/\"x\"\\\n")}},
                               1,
                               2,
                               true,
                               12,
                               0});
    s.metrics.push_back(c);
    Metric g;
    g.name = "process.memory.usage";
    g.description = "Resident\nmemory \\ bytes";
    g.unit = "By";
    g.type = MetricType::kSum;
    g.is_monotonic = false;
    g.number_points.push_back({{}, 1, 2, true, 1048576, 0});
    s.metrics.push_back(g);
    Metric r;
    r.name = "cpu.utilization";
    r.unit = "1";
    r.type = MetricType::kGauge;
    r.temporality = AggregationTemporality::kUnspecified;
    r.number_points.push_back({{{"cpu", std::int64_t{0}}}, 0, 2, false, 0, 0.25});
    s.metrics.push_back(r);
    Metric h;
    h.name = "http.server.request.duration";
    h.description = "Request latency";
    h.unit = "s";
    h.type = MetricType::kHistogram;
    HistogramPoint hp;
    hp.attributes = {{"http.route", std::string("/a")}};
    hp.count = 4;
    hp.sum = 2.75;
    hp.bounds = {0.1, 1};
    hp.bucket_counts = {1, 2, 1};
    hp.has_min_max = true;
    hp.min = 0.05;
    hp.max = 1.5;
    Exemplar e;
    e.time_unix_nano = 1700000000123000000ULL;
    e.value = 1.5;
    e.trace_id = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
    e.span_id = *SpanId::FromHex("1112131415161718");
    hp.exemplars.push_back(e);
    h.histogram_points.push_back(hp);
    s.metrics.push_back(h);
    Metric delta = c;  // dropped: Prometheus is cumulative
    delta.name = "delta.requests";
    delta.temporality = AggregationTemporality::kDelta;
    s.metrics.push_back(delta);
    Metric clash = g;  // same Prometheus name, other TYPE: dropped
    clash.name = "http.server.requests_total";
    clash.unit = "";
    clash.type = MetricType::kGauge;
    clash.temporality = AggregationTemporality::kUnspecified;
    s.metrics.push_back(clash);
    d.scope_metrics.push_back(s);
    return d;
}

TEST(PrometheusText, Format004MatchesGolden) {
    const std::string text = ToPrometheusText(Sample(), ExpositionFormat::kPrometheusText004);
    ExpectGolden("prometheus_text_004.txt", text);
    EXPECT_EQ(text.find("delta_requests"), std::string::npos);
    EXPECT_EQ(text.find("# TYPE http_server_requests_total gauge"), std::string::npos);
    EXPECT_EQ(text.find("# EOF"), std::string::npos);
}

TEST(PrometheusText, OpenMetricsMatchesGoldenWithExemplarsAndEof) {
    const std::string text = ToPrometheusText(Sample(), ExpositionFormat::kOpenMetrics100);
    ExpectGolden("openmetrics_100.txt", text);
    EXPECT_NE(text.find("# TYPE http_server_requests counter\n"), std::string::npos);
    EXPECT_NE(text.find("le=\"+Inf\"} 4 # {trace_id=\"0102030405060708090a0b0c0d0e0f10\","
                        "span_id=\"1112131415161718\"} 1.5 1700000000.123\n"),
              std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 6), "# EOF\n");
}

// A millisecond histogram and an integer millisecond gauge are exposed in seconds: name,
// bucket bounds, sum, samples and exemplar values all scaled.
TEST(PrometheusText, TimeUnitsAreExposedInSeconds) {
    MetricsData d;
    ScopeMetrics s;
    s.scope.name = "tome";
    Metric h;
    h.name = "proxy.response_time_ms";
    h.unit = "ms";
    h.type = MetricType::kHistogram;
    h.temporality = AggregationTemporality::kCumulative;
    HistogramPoint hp;
    hp.count = 3;
    hp.sum = 1250;
    hp.bounds = {5, 250};
    hp.bucket_counts = {1, 1, 1};
    Exemplar e;
    e.value = 1000;
    e.trace_id = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
    e.span_id = *SpanId::FromHex("1112131415161718");
    hp.exemplars.push_back(e);
    h.histogram_points.push_back(hp);
    s.metrics.push_back(h);
    Metric g;
    g.name = "queue.age";
    g.unit = "ms";
    g.type = MetricType::kGauge;
    g.number_points.push_back({{}, 0, 0, true, 1500, 0});
    s.metrics.push_back(g);
    d.scope_metrics.push_back(s);

    const std::string text = ToPrometheusText(d, ExpositionFormat::kPrometheusText004);
    EXPECT_EQ(text.find("_ms"), std::string::npos) << text;
    EXPECT_EQ(text.find("milliseconds"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE proxy_response_time_seconds histogram\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("proxy_response_time_seconds_bucket{otel_scope_name=\"tome\",le=\"0.005\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("proxy_response_time_seconds_bucket{otel_scope_name=\"tome\",le=\"0.25\"} 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("proxy_response_time_seconds_sum{otel_scope_name=\"tome\"} 1.25\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("queue_age_seconds{otel_scope_name=\"tome\"} 1.5\n"), std::string::npos)
        << text;
    const std::string om = ToPrometheusText(d, ExpositionFormat::kOpenMetrics100);
    EXPECT_NE(om.find("span_id=\"1112131415161718\"} 1 "), std::string::npos) << om;
}

// Label values and HELP text carry what clients sent (paths, baggage); a scraper rejects the
// whole exposition for one byte that is not UTF-8.
TEST(PrometheusText, LabelValuesAndHelpThatAreNotUtf8GetReplacementCharacters) {
    const std::string r = "\xEF\xBF\xBD";  // U+FFFD
    MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc\xFE")}});
    ScopeMetrics s;
    s.scope.name = "tome\xFF";
    Metric g;
    g.name = "requests";
    g.description = "help \xC3 text";
    g.type = MetricType::kGauge;
    NumberPoint p;
    p.attributes = {{"url.path", std::string("/api/tomes/\xFF\xFE\"q\"")},
                    {"b\xC3" "ad.key", std::string("v")}};
    p.is_int = true;
    p.as_int = 1;
    g.number_points.push_back(p);
    s.metrics.push_back(g);
    d.scope_metrics.push_back(s);
    for (auto format : {ExpositionFormat::kPrometheusText004, ExpositionFormat::kOpenMetrics100}) {
        const std::string text = ToPrometheusText(d, format);
        EXPECT_TRUE(utf8::IsValid(text)) << text;
        EXPECT_NE(text.find("url_path=\"/api/tomes/" + r + r + "\\\"q\\\"\""), std::string::npos)
            << text;
        EXPECT_NE(text.find("# HELP requests help " + r + " text\n"), std::string::npos) << text;
        EXPECT_NE(text.find("otel_scope_name=\"tome" + r + "\""), std::string::npos) << text;
        EXPECT_NE(text.find("service_name=\"svc" + r + "\""), std::string::npos) << text;
        // Label names were already reduced to [a-zA-Z0-9_].
        EXPECT_NE(text.find("b_ad_key=\"v\""), std::string::npos) << text;
    }
}

TEST(PrometheusText, EmptySnapshotHasOnlyTargetInfo) {
    MetricsData d;
    d.resource = std::make_shared<const trace::Resource>();
    EXPECT_EQ(ToPrometheusText(d, ExpositionFormat::kPrometheusText004), "");
    EXPECT_EQ(ToPrometheusText(d, ExpositionFormat::kOpenMetrics100), "# EOF\n");
}

TEST(PrometheusAccept, ChoosesOpenMetricsOnlyWhenAskedFor) {
    EXPECT_EQ(ChooseExpositionFormat(""), ExpositionFormat::kPrometheusText004);
    EXPECT_EQ(ChooseExpositionFormat("*/*"), ExpositionFormat::kPrometheusText004);
    EXPECT_EQ(ChooseExpositionFormat("text/plain;version=0.0.4"),
              ExpositionFormat::kPrometheusText004);
    EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;version=1.0.0,application/"
                                     "openmetrics-text;version=0.0.1;q=0.75,text/plain;version="
                                     "0.0.4;q=0.5,*/*;q=0.1"),
              ExpositionFormat::kOpenMetrics100);
    EXPECT_EQ(ChooseExpositionFormat("Application/OpenMetrics-Text; q=0.2, text/plain; q=0.9"),
              ExpositionFormat::kPrometheusText004);
    EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;q=0"),
              ExpositionFormat::kPrometheusText004);
    EXPECT_EQ(ContentType(ExpositionFormat::kPrometheusText004),
              "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(ContentType(ExpositionFormat::kOpenMetrics100),
              "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

TEST(PrometheusScrape, CollectsAndRendersInTheNegotiatedFormat) {
    testing::TestMetrics t;
    t.meter.CreateCounter<std::uint64_t>("jobs", {.description = "Jobs"}).instrument.Add(3);
    const auto text = ScrapePrometheus(*t.reader, "text/plain");
    EXPECT_EQ(text.content_type, ContentType(ExpositionFormat::kPrometheusText004));
    EXPECT_NE(text.body.find("jobs_total{otel_scope_name=\"tome.test\","
                             "otel_scope_version=\"1.2.3\"} 3\n"),
              std::string::npos);
    EXPECT_NE(text.body.find("target_info{service_name=\"tome-test\"} 1\n"), std::string::npos);
    const auto om = ScrapePrometheus(*t.reader, "application/openmetrics-text;version=1.0.0");
    EXPECT_EQ(om.content_type, ContentType(ExpositionFormat::kOpenMetrics100));
    EXPECT_NE(om.body.find("# TYPE jobs counter\n"), std::string::npos);
}

TEST(PrometheusScrape, UnattachedReaderGivesAnEmptyBody) {
    MetricReader reader;
    EXPECT_EQ(ScrapePrometheus(reader, "").body, "");
}

}  // namespace
}  // namespace tome::telemetry::metrics
