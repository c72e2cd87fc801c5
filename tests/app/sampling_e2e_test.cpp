// Sampling end to end: the demo workload's orders through a TracerProvider with the tail
// decision processor (UseTailSampling) in front of an in-memory exporter. A second, unsampled
// in-memory processor on the same provider records every trace, the ground truth the kept
// traces are compared with (itself cross-checked against the workload's own counters).
// In-process, no sleeps: work time 0, a fixed workload seed, a frozen clock for the tail
// processor's decision timeout (so every trace is decided by its root span ending).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "application.hpp"
#include "config.hpp"
#include "demo_test_support.hpp"
#include "demo_workload.hpp"
#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/trace/tail_sampling_processor.hpp"

namespace tome::app {
namespace {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
using telemetry::exporter::InMemorySpanExporter;
using telemetry::exporter::InMemorySpanStore;

using testing::MakeDemoApplication;
using testing::StringAttr;

double DoubleAttr(const trace::SpanData& s, std::string_view key) {
    const auto* v = trace::FindAttribute(s.attributes, key);
    if (v == nullptr || !std::holds_alternative<double>(*v)) return -1;
    return std::get<double>(*v);
}

bool IsDemoSpan(const trace::SpanData& s) { return !s.scope || s.scope->name == "tome.demo"; }

// One order as its root span shows it.
struct OrderTrace {
    std::string order_id;
    double value = 0;
    bool error = false;
    std::size_t spans = 0;  // the workload's spans in the trace, root included
};

// Every trace of the workload in `spans`, by trace id hex.
std::map<std::string, OrderTrace> Orders(const std::vector<trace::SpanData>& spans) {
    std::map<std::string, OrderTrace> out;
    for (const auto& s : spans) {
        if (!IsDemoSpan(s)) continue;
        OrderTrace& o = out[s.context.trace_id.ToHex()];
        ++o.spans;
        if (s.name != demo::kRootSpan) continue;
        o.order_id = StringAttr(s, "business.order_id");
        o.value = DoubleAttr(s, "business.order_value");
        o.error = s.status.code == trace::StatusCode::kError;
    }
    return out;
}

constexpr std::uint64_t kOrders = 2000;

class SamplingEndToEndTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto app = MakeDemoApplication();
        ASSERT_TRUE(app.ok()) << app.status().ToString();
        app_ = std::move(*app);
        meters_ = std::make_shared<metrics::MeterProvider>(metrics::MeterProviderOptions{});
    }

    DemoOptions Options(std::uint64_t orders) const {
        DemoOptions o;
        o.orders = orders;
        o.rate = 0;
        o.payment_failure_rate = 0.1;
        o.step_min = o.step_max = std::chrono::milliseconds(0);
        o.seed = 20261124;
        o.workers = 2;
        return o;
    }

    DemoStats Run(const DemoOptions& options,
                  const std::shared_ptr<trace::TracerProvider>& tracers) {
        DemoWorkload workload(app_->connector(), options, {tracers, meters_});
        workload.Start();
        EXPECT_TRUE(workload.WaitUntilDone());
        workload.Shutdown();
        EXPECT_TRUE(tracers->ForceFlush(std::chrono::seconds(10)));
        return workload.stats();
    }

    std::unique_ptr<Application> app_;
    std::shared_ptr<metrics::MeterProvider> meters_;
};

TEST_F(SamplingEndToEndTest, ErrorsAndHighValueKeptNormalTracesAtTheirRate) {
    // The options as the config file writes them, through the same parser.
    auto parsed = trace::ParseTailSamplingOptions(
        R"({"errorSamplingRate": 1.0, "normalSamplingRate": 0.1,)"
        R"( "highValueSamplingRate": 1.0,)"
        R"( "customRules": [{"condition": "business.order_value > 1000", "rate": 1.0}]})");
    ASSERT_TRUE(parsed.ok()) << parsed.message();
    trace::TailSamplingOptions tail = std::move(parsed).value();
    const auto frozen = std::chrono::steady_clock::now();
    tail.now = [frozen] { return frozen; };  // no decision by timeout: roots decide

    auto all = std::make_shared<InMemorySpanStore>();   // every span (ground truth)
    auto kept = std::make_shared<InMemorySpanStore>();  // what the tail processor forwarded
    trace::TracerProviderOptions po;
    po.processors.push_back(
        std::make_unique<trace::SimpleSpanProcessor>(std::make_unique<InMemorySpanExporter>(all)));
    trace::TailSamplingProcessor* processor = trace::UseTailSampling(
        po,
        std::make_unique<trace::SimpleSpanProcessor>(std::make_unique<InMemorySpanExporter>(kept)),
        std::move(tail));
    auto tracers = std::make_shared<trace::TracerProvider>(std::move(po));

    const DemoStats stats = Run(Options(kOrders), tracers);
    ASSERT_EQ(stats.started, kOrders);
    ASSERT_EQ(stats.finished(), kOrders);

    // Ground truth: one trace per order, order ids 1..N, errors as the workload counted them.
    const auto truth = Orders(all->Spans());
    ASSERT_EQ(truth.size(), kOrders);
    std::set<std::string> order_ids;
    std::uint64_t error_traces = 0;
    for (const auto& [id, o] : truth) {
        order_ids.insert(o.order_id);
        error_traces += o.error ? 1 : 0;
    }
    ASSERT_EQ(order_ids.size(), kOrders);
    char first[32], last[32];
    std::snprintf(first, sizeof first, "ORD-%08d", 1);
    std::snprintf(last, sizeof last, "ORD-%08llu", static_cast<unsigned long long>(kOrders));
    EXPECT_EQ(*order_ids.begin(), first);
    EXPECT_EQ(*order_ids.rbegin(), last);
    ASSERT_EQ(error_traces, stats.failed());
    ASSERT_GT(stats.payment_failed, 0u);

    const auto kept_traces = Orders(kept->Spans());
    std::uint64_t errors = 0, high_value = 0, normal = 0, normal_kept = 0;
    for (const auto& [id, o] : truth) {
        SCOPED_TRACE(o.order_id);
        const auto k = kept_traces.find(id);
        const bool is_kept = k != kept_traces.end();
        if (is_kept) {
            EXPECT_EQ(k->second.spans, o.spans) << "a kept trace is kept whole";
        }
        if (o.error) {
            ++errors;
            EXPECT_TRUE(is_kept) << "error trace dropped";
        } else if (o.value > 1000) {
            ++high_value;
            EXPECT_TRUE(is_kept) << "high-value trace dropped, value " << o.value;
        } else {
            ++normal;
            normal_kept += is_kept ? 1 : 0;
        }
    }
    // Nothing kept that the ground truth does not know.
    for (const auto& [id, o] : kept_traces) EXPECT_TRUE(truth.count(id)) << id;
    ASSERT_GT(high_value, 0u) << "the workload made no order over 1000: the rule is untested";

    // Normal traces: kept share within 4 sigma of the binomial(normal, 0.1) mean.
    ASSERT_GT(normal, 0u);
    const double p = 0.1;
    const double share = static_cast<double>(normal_kept) / static_cast<double>(normal);
    const double bound = 4.0 * std::sqrt(p * (1 - p) / static_cast<double>(normal));
    std::printf("sampling e2e: %llu orders, %llu error (all kept), %llu over 1000 (all kept), "
                "%llu normal of which %llu kept: share %.4f (10%% +- %.4f)\n",
                static_cast<unsigned long long>(kOrders), static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(high_value),
                static_cast<unsigned long long>(normal),
                static_cast<unsigned long long>(normal_kept), share, bound);
    RecordProperty("normal_kept_share", std::to_string(share));
    EXPECT_LE(std::abs(share - p), bound) << normal_kept << " of " << normal;

    // The processor's own accounting agrees (the workload's traces are all it saw).
    const trace::TailSamplingStats ts = processor->Stats();
    EXPECT_EQ(ts.traces_kept + ts.traces_dropped, kOrders);
    EXPECT_EQ(ts.traces_kept, kept_traces.size());
    EXPECT_EQ(ts.tail_buffer_full, 0u);
    EXPECT_EQ(ts.tail_decision_timeout, 0u);
    EXPECT_EQ(ts.traces_held, 0u);
    EXPECT_TRUE(tracers->Shutdown(std::chrono::seconds(5)));
}

// The app's path: BuildTracesSdkFromEnv with the tail-sampling hook, exporting to a file.
class SamplingSdkHookTest : public SamplingEndToEndTest {
protected:
    // Runs `orders` orders through an SDK built from the environment with `tail` (may be
    // null) and returns how many root spans reached the file, plus the workload's stats.
    std::pair<std::size_t, DemoStats> RunToFile(const trace::TailSamplingOptions* tail,
                                               std::vector<std::string>* warnings = nullptr,
                                               const char* sampler = nullptr) {
        const std::string path = ::testing::TempDir() + "/tome_sampling_hook.jsonl";
        std::filesystem::remove(path);
        std::map<std::string, std::string> vars = {{"OTEL_TRACES_EXPORTER", "none"},
                                                   {"TOME_OTLP_FILE", path}};
        if (sampler != nullptr) vars["OTEL_TRACES_SAMPLER"] = sampler;
        telemetry::EnvLookup env = [vars](std::string_view n) -> std::optional<std::string> {
            auto it = vars.find(std::string(n));
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
        auto sdk = telemetry::exporter::BuildTracesSdkFromEnv(env, {}, nullptr, tail);
        EXPECT_TRUE(sdk.ok()) << sdk.message();
        if (!sdk.ok()) return {0, {}};
        if (warnings != nullptr) *warnings = sdk.value().warnings;
        auto tracers = sdk.value().provider;
        const DemoStats stats = Run(Options(200), tracers);
        EXPECT_TRUE(tracers->Shutdown(std::chrono::seconds(5)));
        std::ifstream in(path);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        std::size_t roots = 0;
        const std::string needle = "\"" + std::string(demo::kRootSpan) + "\"";
        for (auto at = text.find(needle); at != std::string::npos;
             at = text.find(needle, at + 1)) {
            ++roots;
        }
        return {roots, stats};
    }
};

TEST_F(SamplingSdkHookTest, WithoutTheHookEveryTraceIsExported) {
    const auto [roots, stats] = RunToFile(nullptr);
    EXPECT_EQ(stats.finished(), 200u);
    EXPECT_EQ(roots, 200u);
}

TEST_F(SamplingSdkHookTest, WithTheHookOnlyTheKeptTracesAreExported) {
    trace::TailSamplingOptions tail;
    tail.normal_sampling_rate = 0.0;  // keep errors only
    tail.error_sampling_rate = 1.0;
    std::vector<std::string> warnings;
    const auto [roots, stats] = RunToFile(&tail, &warnings, "parentbased_traceidratio");
    EXPECT_EQ(stats.finished(), 200u);
    EXPECT_GT(stats.failed(), 0u);
    EXPECT_EQ(roots, stats.failed());
    bool warned = false;
    for (const auto& w : warnings) warned |= w.find("OTEL_TRACES_SAMPLER") != std::string::npos;
    EXPECT_TRUE(warned) << "a head sampler that tail sampling overrides is reported";
}

}  // namespace
}  // namespace tome::app
