// OtlpGrpcLogExporter against the in-suite gRPC receiver (TOME_WITH_GRPC builds only): method,
// libprotobuf decoding, UNAVAILABLE twice then OK (each record once), gzip, partial success.
#include <gtest/gtest.h>

#include <set>

#include "grpc_loopback_receiver.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "tome/telemetry/export/otlp_grpc_log_exporter.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::GrpcLoopbackReceiver;
namespace pb = opentelemetry::proto;
using Clock = logs::LogExporter::Clock;

std::vector<std::unique_ptr<logs::LogRecord>> Batch() {
    auto resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"tome.logs", "1", ""});
    std::vector<std::unique_ptr<logs::LogRecord>> out;
    for (int i = 1; i <= 3; ++i) {
        auto r = std::make_unique<logs::LogRecord>();
        r->time_unix_nano = static_cast<std::uint64_t>(i);
        r->body = "record-" + std::to_string(i);
        r->resource = resource;
        r->scope = scope;
        out.push_back(std::move(r));
    }
    return out;
}

std::multiset<std::string> Bodies(const std::string& body) {
    std::multiset<std::string> out;
    pb::collector::logs::v1::ExportLogsServiceRequest req;
    if (!req.ParseFromString(body)) return out;
    for (const auto& rl : req.resource_logs())
        for (const auto& sl : rl.scope_logs())
            for (const auto& r : sl.log_records()) out.insert(r.body().string_value());
    return out;
}

const std::multiset<std::string> kExpected = {"record-1", "record-2", "record-3"};

OtlpGrpcTransportOptions To(const GrpcLoopbackReceiver& rx) {
    OtlpGrpcTransportOptions o;
    o.endpoint = rx.endpoint();
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

TEST(OtlpGrpcLogExporter, CallsLogsServiceExportWithDecodableRequest) {
    GrpcLoopbackReceiver rx;
    ASSERT_TRUE(rx.ok());
    OtlpGrpcLogExporter e(To(rx));
    ASSERT_EQ(e.setup_error(), "");
    const auto batch = Batch();
    EXPECT_EQ(e.Export(batch, Clock::now() + 10s), logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "/opentelemetry.proto.collector.logs.v1.LogsService/Export");
    EXPECT_EQ(Bodies(reqs[0].body), kExpected);
    EXPECT_EQ(e.stats().exported, 3u);
}

TEST(OtlpGrpcLogExporter, TwoUnavailableThenOkDeliversEachRecordOnce) {
    GrpcLoopbackReceiver rx({{grpc::StatusCode::UNAVAILABLE, "", "", false},
                             {grpc::StatusCode::UNAVAILABLE, "", "", false}});
    OtlpGrpcLogExporter e(To(rx));
    const auto batch = Batch();
    EXPECT_EQ(e.Export(batch, Clock::now() + 10s), logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(Bodies(reqs[2].body), kExpected);
    EXPECT_EQ(e.stats().retries, 2u);
    EXPECT_EQ(e.stats().exported, 3u);
}

TEST(OtlpGrpcLogExporter, GzipAndPartialSuccess) {
    pb::collector::logs::v1::ExportLogsServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_log_records(1);
    GrpcLoopbackReceiver rx({{grpc::StatusCode::OK, "", resp.SerializeAsString(), false}});
    auto o = To(rx);
    o.compression = OtlpCompression::kGzip;
    OtlpGrpcLogExporter e(o);
    const auto batch = Batch();
    EXPECT_EQ(e.Export(batch, Clock::now() + 10s), logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_TRUE(reqs[0].gzip);
    EXPECT_EQ(Bodies(reqs[0].body), kExpected);
    EXPECT_EQ(e.stats().rejected, 1u);
    EXPECT_EQ(e.stats().exported, 2u);
}

TEST(OtlpGrpcLogExporter, BadEndpointIsASetupError) {
    OtlpGrpcTransportOptions o;
    o.endpoint = "http://h:1/path";
    auto e = MakeOtlpGrpcLogExporter(o);
    EXPECT_FALSE(e.ok());
}

}  // namespace
}  // namespace tome::telemetry::exporter
