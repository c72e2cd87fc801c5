// The console's own API (console/README.md) and the in-process taps: what the SDK records is
// stored and still reaches the export chain behind the tee.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

#include "console_test_fixture.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::console::testing {
namespace {

using nlohmann::json;
namespace trace = telemetry::trace;

class ConsoleApi : public ConsoleFixture {
protected:
    // Ten orders: an entry span, a CLIENT call to payments (every 4th fails), and logs.
    void AddOrders() {
        const std::uint64_t t0 = NowNs() - 5'000'000'000ULL;
        TraceRequest request;
        for (int i = 1; i <= 10; ++i) {
            auto* root = AddSpan(request, "orders", "order.workflow", i, i * 10, 0,
                                 t0 + static_cast<std::uint64_t>(i) * 1'000'000, 100'000'000ULL * static_cast<std::uint64_t>(i));
            SetString(root->add_attributes(), "business.customer_tier", i % 3 == 0 ? "premium" : "standard");
            SetString(root->add_attributes(), "business.order_id", "o-" + std::to_string(i));
            const bool fails = i % 4 == 0;
            auto* client = AddSpan(request, "orders", "POST /pay", i, i * 10 + 1, i * 10, t0, 20'000'000,
                                   pb_trace::Span::SPAN_KIND_CLIENT);
            auto* server = AddSpan(request, "payments", "POST /pay", i, i * 10 + 2, i * 10 + 1, t0, 10'000'000);
            if (fails) {
                client->mutable_status()->set_code(pb_trace::Status::STATUS_CODE_ERROR);
                server->mutable_status()->set_code(pb_trace::Status::STATUS_CODE_ERROR);
                root->mutable_status()->set_code(pb_trace::Status::STATUS_CODE_ERROR);
            }
        }
        ASSERT_EQ(PostTraces(request).status, 200);
        LogsRequest logs;
        auto* rl = logs.add_resource_logs();
        SetString(rl->mutable_resource()->add_attributes(), "service.name", "payments");
        for (int i = 1; i <= 10; ++i) {
            auto* r = rl->add_scope_logs()->add_log_records();
            r->set_time_unix_nano(t0 + static_cast<std::uint64_t>(i));
            r->set_severity_number(i % 4 == 0 ? opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR
                                              : opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO);
            r->mutable_body()->set_string_value(i % 4 == 0 ? "Payment declined" : "Payment accepted");
            r->set_trace_id(TraceIdBytes(i));
            r->set_span_id(SpanIdBytes(i * 10 + 2));
            SetString(r->add_attributes(), "business.order_id", "o-" + std::to_string(i));
        }
        ASSERT_EQ(Post("/v1/logs", logs.SerializeAsString()).status, 200);
        ASSERT_TRUE(console_->Flush(std::chrono::seconds(5)));
    }
};

TEST_F(ConsoleApi, SearchesTracesByAttributeErrorsAndDuration) {
    AddOrders();
    const json premium = GetJson("/console/api/traces?attr=business.customer_tier%3Dpremium")["data"];
    ASSERT_EQ(premium["traces"].size(), 3u);
    for (const json& t : premium["traces"]) {
        EXPECT_EQ(t["rootName"], "order.workflow");
        EXPECT_EQ(t["rootService"], "orders");
        EXPECT_EQ(t["spanCount"], 3);
        EXPECT_FALSE(t["incomplete"].get<bool>());
    }
    const json errors = GetJson("/console/api/traces?service=payments&errors=true")["data"]["traces"];
    EXPECT_EQ(errors.size(), 2u);
    for (const json& t : errors) EXPECT_EQ(t["errorCount"], 3);
    const json slow = GetJson("/console/api/traces?service=orders&operation=order.workflow&minDuration=750ms")["data"];
    EXPECT_EQ(slow["traces"].size(), 3u) << "800, 900 and 1000 ms";
    const json limited = GetJson("/console/api/traces?service=orders&limit=4")["data"];
    EXPECT_EQ(limited["traces"].size(), 4u);
    EXPECT_TRUE(limited["more"].get<bool>());
}

TEST_F(ConsoleApi, OneTraceHasItsSpansResourcesAndLogs) {
    AddOrders();
    const json t = GetJson("/console/api/traces/" + HexOf(TraceIdBytes(4)))["data"];
    EXPECT_EQ(t["spanCount"], 3);
    EXPECT_EQ(t["errorCount"], 3);
    ASSERT_EQ(t["spans"].size(), 3u);
    for (const json& s : t["spans"]) {
        ASSERT_TRUE(t["resources"].contains(s["resource"].get<std::string>()));
        EXPECT_TRUE(s["status"]["code"] == "error");
    }
    ASSERT_EQ(t["logs"].size(), 1u);
    EXPECT_EQ(t["logs"][0]["body"], "Payment declined");
    EXPECT_EQ(t["logs"][0]["spanId"], HexOf(SpanIdBytes(42)));
    EXPECT_EQ(t["logs"][0]["severityText"], "ERROR");
    const json missing = GetJson("/console/api/traces/" + std::string(32, 'f'), 404);
    EXPECT_FALSE(missing["success"].get<bool>());
    EXPECT_EQ(missing["error"]["code"], "not_found");
}

TEST_F(ConsoleApi, TheGraphAndRedComeFromTheSpans) {
    AddOrders();
    const json graph = GetJson("/console/api/graph?window=5m")["data"];
    ASSERT_EQ(graph["edges"].size(), 1u);
    const json& edge = graph["edges"][0];
    EXPECT_EQ(edge["id"], "service:orders->service:payments");
    EXPECT_EQ(edge["requests"], 10);
    EXPECT_EQ(edge["errors"], 2);
    EXPECT_NEAR(edge["errorRate"].get<double>(), 0.2, 1e-9);
    EXPECT_NEAR(edge["p95Ms"].get<double>(), 20.0, 0.2);
    const json red = GetJson("/console/api/red?service=orders&operation=order.workflow&window=5m&step=1m")["data"];
    EXPECT_EQ(red["stepMs"], 60000);
    EXPECT_EQ(red["total"]["requests"], 10);
    EXPECT_NEAR(red["total"]["p50Ms"].get<double>(), 500, 10);
    const json ops = GetJson("/console/api/operations?window=5m")["data"];
    EXPECT_EQ(ops.size(), 2u) << "order.workflow and payments' POST /pay";
}

TEST_F(ConsoleApi, SearchesLogsByTextLevelAndBusinessAttribute) {
    AddOrders();
    EXPECT_EQ(GetJson("/console/api/logs?q=payment")["data"]["logs"].size(), 10u);
    EXPECT_EQ(GetJson("/console/api/logs?q=payment%20declined&severity=error")["data"]["logs"].size(), 2u);
    const json one = GetJson("/console/api/logs?attr=business.order_id%3Do-7")["data"]["logs"];
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0]["traceId"], HexOf(TraceIdBytes(7)));
    EXPECT_EQ(GetJson("/console/api/logs?traceId=" + HexOf(TraceIdBytes(8)))["data"]["logs"].size(), 1u);
}

TEST_F(ConsoleApi, BadParametersGet400NamingTheParameter) {
    auto message = [&](const std::string& target) {
        const json body = GetJson(target, 400);
        EXPECT_FALSE(body["success"].get<bool>());
        return body["error"]["message"].get<std::string>();
    };
    EXPECT_NE(message("/console/api/traces?minDuration=fast").find("minDuration"), std::string::npos);
    EXPECT_NE(message("/console/api/traces?limit=5000").find("'limit'"), std::string::npos);
    EXPECT_NE(message("/console/api/traces?color=red").find("'color'"), std::string::npos);
    EXPECT_NE(message("/console/api/traces?attr=novalue").find("key=value"), std::string::npos);
    EXPECT_NE(message("/console/api/logs?severity=loud").find("severity"), std::string::npos);
    EXPECT_NE(message("/console/api/graph?window=3h").find("window"), std::string::npos);
    EXPECT_NE(message("/console/api/red?window=5m").find("service"), std::string::npos);
    EXPECT_NE(message("/console/api/traces/xyz").find("32 hex"), std::string::npos);
    EXPECT_EQ(GetJson("/console/api/nothing", 404)["error"]["code"], "not_found");
}

TEST_F(ConsoleApi, StatsShowTheBudgetAndEverySignal) {
    AddOrders();
    const json stats = GetJson("/console/api/stats")["data"];
    EXPECT_EQ(stats["budgetBytes"], 16u << 20);
    for (const char* signal : {"spans", "logs", "metrics", "derived"}) {
        ASSERT_TRUE(stats["signals"].contains(signal)) << signal;
        EXPECT_GT(stats["signals"][signal]["budgetBytes"].get<std::size_t>(), 0u) << signal;
    }
    EXPECT_EQ(stats["signals"]["spans"]["ingested"], 30);
    EXPECT_EQ(stats["signals"]["logs"]["ingested"], 10);
    EXPECT_LE(stats["usedBytes"].get<std::size_t>(), stats["budgetBytes"].get<std::size_t>());
}

TEST_F(ConsoleApi, TheSpanTeeStoresSpansShowsRunningOnesAndPassesEverySpanOn) {
    auto exported = std::make_shared<telemetry::exporter::InMemorySpanStore>();
    trace::TracerProviderOptions options;
    options.processors.push_back(console_->TeeSpans(std::make_unique<trace::SimpleSpanProcessor>(
        std::make_unique<telemetry::exporter::InMemorySpanExporter>(exported))));
    auto provider = std::make_shared<trace::TracerProvider>(std::move(options));
    trace::Tracer tracer = provider->GetTracer("test");
    trace::Span outer = tracer.StartSpan("long.running");
    const std::string trace_id = outer.GetContext().trace_id.ToHex();
    const json running = GetJson("/console/api/running")["data"]["spans"];
    ASSERT_EQ(running.size(), 1u);
    EXPECT_EQ(running[0]["name"], "long.running");
    EXPECT_EQ(running[0]["traceId"], trace_id);
    {
        const trace::Context parent = trace::Context::Current().WithSpanContext(outer.GetContext());
        trace::StartSpanOptions child;
        child.parent = &parent;
        trace::Span inner = tracer.StartSpan("step", child);
        inner.End();
    }
    outer.End();
    ASSERT_TRUE(provider->ForceFlush(std::chrono::seconds(5)));
    EXPECT_EQ(exported->Spans().size(), 2u) << "the export chain behind the tee gets every span";
    EXPECT_TRUE(GetJson("/console/api/running")["data"]["spans"].empty());
    const json stored = GetJson("/console/api/traces/" + trace_id)["data"];
    EXPECT_EQ(stored["spanCount"], 2);
    EXPECT_EQ(stored["rootName"], "long.running");
}

TEST_F(ConsoleApi, TheLogTeeStoresRecordsAndPassesThemOn) {
    auto exporter = std::make_unique<telemetry::logs::InMemoryLogExporter>();
    auto records = exporter->storage();
    telemetry::logs::LoggerProviderOptions options;
    options.processors.push_back(
        console_->TeeLogs(std::make_unique<telemetry::logs::SimpleLogProcessor>(std::move(exporter))));
    auto provider = telemetry::logs::MakeLoggerProvider(std::move(options));
    provider->GetLogger("test")->Info("Inventory reserved", {{"business.order_id", "o-9"}});
    ASSERT_TRUE(provider->ForceFlush(std::chrono::seconds(5)));
    EXPECT_EQ(records->Snapshot().size(), 1u);
    const json found = GetJson("/console/api/logs?q=inventory")["data"]["logs"];
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["attributes"]["business.order_id"], "o-9");
}

TEST_F(ConsoleApi, TheUiIsServedForEveryPagePathAndAssetsAreCached) {
    for (const char* page : {"/", "/traces", "/traces/abc", "/logs", "/dashboards", "/compare/a/b", "/running",
                             "/alerts", "/audit", "/network"}) {
        const api::HttpResponse r = Get(page);
        EXPECT_EQ(r.status, 200) << page;
        EXPECT_NE(r.content_type.find("text/html"), std::string::npos) << page;
        EXPECT_NE(r.body.find("<html"), std::string::npos) << page;
    }
    EXPECT_EQ(Get("/assets/nothing.js").status, 404);
}

}  // namespace
}  // namespace tome::console::testing

namespace tome::console::testing {
namespace {

// Reads the next piece of a streamed answer (the stream calls back on this thread or later).
std::string NextPiece(api::ResponseStream& stream, ConsoleFixture& fixture, const std::function<void()>& cause) {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<std::string> piece;
    stream.Next([&](std::string p, bool) {
        std::lock_guard lock(mu);
        piece = std::move(p);
        cv.notify_all();
    });
    if (cause) cause();
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return piece.has_value(); });
    (void)fixture;
    return piece.value_or("");
}

class LiveStreamTest : public ConsoleFixture {};

TEST_F(LiveStreamTest, StreamsNewTracesAndLogRecordsAsServerSentEvents) {
    api::HttpResponse r = Get("/console/api/stream?signals=traces,logs");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/event-stream");
    ASSERT_TRUE(r.stream);
    EXPECT_EQ(NextPiece(*r.stream, *this, nullptr), "retry: 2000\n\n");
    const std::string piece = NextPiece(*r.stream, *this, [&] {
        TraceRequest request;
        AddSpan(request, "shop", "checkout", 60, 60, 0, NowNs(), 1000);
        ASSERT_EQ(Post("/v1/traces", request.SerializeAsString()).status, 200);
    });
    ASSERT_EQ(piece.rfind("event: trace\ndata: ", 0), 0u) << piece;
    const auto data = nlohmann::json::parse(piece.substr(piece.find("data: ") + 6));
    EXPECT_EQ(data["traceId"], HexOf(TraceIdBytes(60)));
    EXPECT_EQ(data["rootName"], "checkout");
    r.stream->Close();
    const std::string message = GetJson("/console/api/stream?signals=metrics", 400)["error"]["message"];
    EXPECT_NE(message.find("'signals'"), std::string::npos) << message;
}

}  // namespace
}  // namespace tome::console::testing
