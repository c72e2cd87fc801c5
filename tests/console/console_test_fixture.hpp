// A started Console and helpers to speak to its HTTP handler in process: OTLP requests built
// with libprotobuf's generated classes, and GETs of the query APIs.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include <nlohmann/json.hpp>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tome/console/console.hpp"

namespace tome::console::testing {

namespace pb_trace = opentelemetry::proto::trace::v1;
namespace pb_common = opentelemetry::proto::common::v1;
using TraceRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using TraceResponse = opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using LogsRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using MetricsRequest = opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

inline std::string Bytes(std::initializer_list<int> bytes) {
    std::string s;
    for (int b : bytes) s.push_back(static_cast<char>(b));
    return s;
}
/// A 16-byte trace id ending in `n`, and an 8-byte span id.
inline std::string TraceIdBytes(int n) {
    std::string s(16, '\x11');
    s[15] = static_cast<char>(n);
    return s;
}
inline std::string SpanIdBytes(int n) {
    std::string s(8, '\x22');
    s[7] = static_cast<char>(n);
    return s;
}
inline std::string HexOf(const std::string& bytes) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(d[c >> 4]);
        out.push_back(d[c & 15]);
    }
    return out;
}

inline void SetString(pb_common::KeyValue* kv, const std::string& key, const std::string& value) {
    kv->set_key(key);
    kv->mutable_value()->set_string_value(value);
}

/// Adds a span of service `service` to `request` (one resource per call).
inline pb_trace::Span* AddSpan(TraceRequest& request, const std::string& service, const std::string& name,
                               int trace, int span, int parent, std::uint64_t start_ns, std::uint64_t duration_ns,
                               pb_trace::Span::SpanKind kind = pb_trace::Span::SPAN_KIND_SERVER) {
    auto* rs = request.add_resource_spans();
    SetString(rs->mutable_resource()->add_attributes(), "service.name", service);
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("test-scope");
    auto* s = ss->add_spans();
    s->set_trace_id(TraceIdBytes(trace));
    s->set_span_id(SpanIdBytes(span));
    if (parent > 0) s->set_parent_span_id(SpanIdBytes(parent));
    s->set_name(name);
    s->set_kind(kind);
    s->set_start_time_unix_nano(start_ns);
    s->set_end_time_unix_nano(start_ns + duration_ns);
    return s;
}

inline std::uint64_t NowNs() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

inline std::string Gzip(const std::string& in) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, in.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

class ConsoleFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ConsoleOptions options;
        options.max_bytes = 16u << 20;
        options.pairing_wait = std::chrono::milliseconds(200);
        auto c = Console::Create(options, SystemClock::Get());
        ASSERT_TRUE(c.ok()) << c.status().message();
        console_ = std::move(*c);
        ASSERT_TRUE(console_->Start().ok());
    }

    api::HttpResponse Post(const std::string& path, const std::string& body,
                           const std::string& type = "application/x-protobuf", const std::string& encoding = "") {
        api::HttpRequest r;
        r.method = "POST";
        r.path = path;
        r.target = path;
        r.body = body;
        r.headers["content-type"] = type;
        if (!encoding.empty()) r.headers["content-encoding"] = encoding;
        return console_->handler().Handle(r);
    }
    api::HttpResponse PostTraces(const TraceRequest& request) {
        api::HttpResponse r = Post("/v1/traces", request.SerializeAsString());
        EXPECT_TRUE(console_->Flush(std::chrono::seconds(5)));
        return r;
    }
    api::HttpResponse Get(const std::string& target) {
        api::HttpRequest r;
        r.method = "GET";
        r.target = target;
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        return console_->handler().Handle(r);
    }
    /// GET and parse; the status must be `status`.
    nlohmann::json GetJson(const std::string& target, int status = 200) {
        api::HttpResponse r = Get(target);
        EXPECT_EQ(r.status, status) << target << ": " << r.body;
        EXPECT_EQ(r.content_type, "application/json");
        return nlohmann::json::parse(r.body);
    }

    std::unique_ptr<Console> console_;
};

}  // namespace tome::console::testing
