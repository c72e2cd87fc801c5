#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tome/telemetry/export/otlp_encoder.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::exporter {
namespace {

namespace pb = opentelemetry::proto;
using namespace trace;

std::vector<std::unique_ptr<SpanData>> MakeBatch() {
    auto resource = std::make_shared<const Resource>(std::vector<Attribute>{
        {"service.name", std::string("tome")}, {"process.pid", std::int64_t{42}}});
    auto scope = std::make_shared<const InstrumentationScope>(
        InstrumentationScope{"tome.connector", "1.0", ""});
    auto other_scope = std::make_shared<const InstrumentationScope>(
        InstrumentationScope{"tome.api", "", ""});

    auto s = std::make_unique<SpanData>();
    s->context.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    s->context.span_id = *SpanId::FromHex("00f067aa0ba902b7");
    s->context.trace_flags = 1;
    s->context.trace_state = *TraceState::Parse("a=1");
    s->parent_span_id = *SpanId::FromHex("1111111111111111");
    s->parent_is_remote = true;
    s->name = "GET /connections/{id}";
    s->kind = SpanKind::kServer;
    s->start_unix_nano = 1700000000000000001ULL;
    s->end_unix_nano = 1700000000500000002ULL;
    s->attributes = {{"s", std::string("v\"\n")},
                     {"b", true},
                     {"i", std::int64_t{-5}},
                     {"d", 2.5},
                     {"as", std::vector<std::string>{"x", "y"}},
                     {"ab", std::vector<bool>{true, false}},
                     {"ai", std::vector<std::int64_t>{1, 9007199254740993LL}},
                     {"ad", std::vector<double>{0.5}},
                     {"long", std::string(300, 'z')}};
    s->dropped_attributes_count = 3;
    s->events.push_back(Event{"ev", 1700000000100000000ULL, {{"k", std::string("v")}}, 1});
    s->dropped_events_count = 4;
    Link link;
    link.context = SpanContext{*TraceId::FromHex("0af7651916cd43dd8448eb211c80319c"),
                               *SpanId::FromHex("b7ad6b7169203331"), 0, {}, true};
    link.attributes = {{"lk", std::int64_t{1}}};
    s->links.push_back(link);
    s->dropped_links_count = 5;
    s->status = Status{StatusCode::kError, "boom"};
    s->scope = scope;
    s->resource = resource;

    auto s2 = std::make_unique<SpanData>();
    s2->context.trace_id = s->context.trace_id;
    s2->context.span_id = *SpanId::FromHex("2222222222222222");
    s2->name = "child";
    s2->scope = other_scope;
    s2->resource = resource;

    auto s3 = std::make_unique<SpanData>(*s2);
    s3->name = "third";
    s3->scope = scope;

    std::vector<std::unique_ptr<SpanData>> batch;
    batch.push_back(std::move(s));
    batch.push_back(std::move(s2));
    batch.push_back(std::move(s3));
    return batch;
}

std::string Bytes(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

TEST(TelemetryOtlpProto, DecodesWithLibprotobufAndEveryFieldMatches) {
    auto batch = MakeBatch();
    const std::string wire = EncodeOtlpProto(batch);
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(wire));
    ASSERT_EQ(req.resource_spans_size(), 1);
    const auto& rs = req.resource_spans(0);
    ASSERT_EQ(rs.resource().attributes_size(), 2);
    EXPECT_EQ(rs.resource().attributes(0).key(), "service.name");
    EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "tome");
    EXPECT_EQ(rs.resource().attributes(1).value().int_value(), 42);
    ASSERT_EQ(rs.scope_spans_size(), 2);  // grouped by scope, first-seen order
    EXPECT_EQ(rs.scope_spans(0).scope().name(), "tome.connector");
    EXPECT_EQ(rs.scope_spans(0).scope().version(), "1.0");
    ASSERT_EQ(rs.scope_spans(0).spans_size(), 2);
    EXPECT_EQ(rs.scope_spans(0).spans(1).name(), "third");
    EXPECT_EQ(rs.scope_spans(1).scope().name(), "tome.api");

    const auto& sp = rs.scope_spans(0).spans(0);
    EXPECT_EQ(sp.trace_id(), Bytes("4bf92f3577b34da6a3ce929d0e0e4736"));
    EXPECT_EQ(sp.span_id(), Bytes("00f067aa0ba902b7"));
    EXPECT_EQ(sp.trace_state(), "a=1");
    EXPECT_EQ(sp.parent_span_id(), Bytes("1111111111111111"));
    EXPECT_EQ(sp.flags(), 0x301u);
    EXPECT_EQ(sp.name(), "GET /connections/{id}");
    EXPECT_EQ(sp.kind(), pb::trace::v1::Span::SPAN_KIND_SERVER);
    EXPECT_EQ(sp.start_time_unix_nano(), 1700000000000000001ULL);
    EXPECT_EQ(sp.end_time_unix_nano(), 1700000000500000002ULL);
    ASSERT_EQ(sp.attributes_size(), 9);
    EXPECT_EQ(sp.attributes(0).value().string_value(), "v\"\n");
    EXPECT_TRUE(sp.attributes(1).value().bool_value());
    EXPECT_EQ(sp.attributes(2).value().int_value(), -5);
    EXPECT_EQ(sp.attributes(3).value().double_value(), 2.5);
    ASSERT_EQ(sp.attributes(4).value().array_value().values_size(), 2);
    EXPECT_EQ(sp.attributes(4).value().array_value().values(1).string_value(), "y");
    EXPECT_FALSE(sp.attributes(5).value().array_value().values(1).bool_value());
    EXPECT_TRUE(sp.attributes(5).value().array_value().values(1).has_bool_value());
    EXPECT_EQ(sp.attributes(6).value().array_value().values(1).int_value(), 9007199254740993LL);
    EXPECT_EQ(sp.attributes(7).value().array_value().values(0).double_value(), 0.5);
    EXPECT_EQ(sp.attributes(8).value().string_value(), std::string(300, 'z'));  // 2-byte length
    EXPECT_EQ(sp.dropped_attributes_count(), 3u);
    ASSERT_EQ(sp.events_size(), 1);
    EXPECT_EQ(sp.events(0).name(), "ev");
    EXPECT_EQ(sp.events(0).time_unix_nano(), 1700000000100000000ULL);
    EXPECT_EQ(sp.events(0).attributes(0).value().string_value(), "v");
    EXPECT_EQ(sp.events(0).dropped_attributes_count(), 1u);
    EXPECT_EQ(sp.dropped_events_count(), 4u);
    ASSERT_EQ(sp.links_size(), 1);
    EXPECT_EQ(sp.links(0).trace_id(), Bytes("0af7651916cd43dd8448eb211c80319c"));
    EXPECT_EQ(sp.links(0).span_id(), Bytes("b7ad6b7169203331"));
    EXPECT_EQ(sp.links(0).attributes(0).value().int_value(), 1);
    EXPECT_EQ(sp.links(0).flags(), 0x300u);
    EXPECT_EQ(sp.dropped_links_count(), 5u);
    EXPECT_EQ(sp.status().code(), pb::trace::v1::Status::STATUS_CODE_ERROR);
    EXPECT_EQ(sp.status().message(), "boom");

    const auto& child = rs.scope_spans(1).spans(0);
    EXPECT_TRUE(child.parent_span_id().empty());
    EXPECT_EQ(child.flags(), 0x100u);
    EXPECT_EQ(child.kind(), pb::trace::v1::Span::SPAN_KIND_INTERNAL);
    EXPECT_FALSE(child.has_status());

    // Byte-exact against libprotobuf's own serialisation of what it decoded.
    std::string reencoded;
    ASSERT_TRUE(req.SerializeToString(&reencoded));
    EXPECT_EQ(reencoded, wire);
}

TEST(TelemetryOtlpProto, EmptyBatchIsEmptyRequest) {
    std::vector<std::unique_ptr<SpanData>> none;
    EXPECT_TRUE(EncodeOtlpProto(none).empty());
    EXPECT_EQ(EncodeOtlpJson(none), R"({"resourceSpans":[]})");
}

TEST(TelemetryOtlpProto, LargeBatchNestedLengths) {
    std::vector<std::unique_ptr<SpanData>> batch;
    auto res = std::make_shared<const Resource>();
    auto scope = std::make_shared<const InstrumentationScope>(InstrumentationScope{"s", "", ""});
    for (int i = 0; i < 2000; ++i) {
        auto s = std::make_unique<SpanData>();
        s->context.trace_id = GenerateTraceId();
        s->context.span_id = GenerateSpanId();
        s->name = "span" + std::to_string(i);
        s->resource = res;
        s->scope = scope;
        batch.push_back(std::move(s));
    }
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(EncodeOtlpProto(batch)));
    ASSERT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 2000);
    EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans(1999).name(), "span1999");
}

TEST(TelemetryOtlpJson, FollowsOtlpJsonRules) {
    auto batch = MakeBatch();
    const auto j = nlohmann::json::parse(EncodeOtlpJson(batch));
    const auto& rs = j.at("resourceSpans").at(0);
    EXPECT_EQ(rs.at("resource").at("attributes").at(1).at("value").at("intValue"), "42");
    const auto& sp = rs.at("scopeSpans").at(0).at("spans").at(0);
    EXPECT_EQ(sp.at("traceId"), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(sp.at("spanId"), "00f067aa0ba902b7");
    EXPECT_EQ(sp.at("parentSpanId"), "1111111111111111");
    EXPECT_EQ(sp.at("traceState"), "a=1");
    EXPECT_EQ(sp.at("kind"), 2);
    EXPECT_EQ(sp.at("flags"), 0x301);
    EXPECT_EQ(sp.at("startTimeUnixNano"), "1700000000000000001");
    EXPECT_EQ(sp.at("endTimeUnixNano"), "1700000000500000002");
    EXPECT_EQ(sp.at("attributes").at(0).at("key"), "s");
    EXPECT_EQ(sp.at("attributes").at(0).at("value").at("stringValue"), "v\"\n");
    EXPECT_EQ(sp.at("attributes").at(1).at("value").at("boolValue"), true);
    EXPECT_EQ(sp.at("attributes").at(2).at("value").at("intValue"), "-5");
    EXPECT_EQ(sp.at("attributes").at(3).at("value").at("doubleValue"), 2.5);
    EXPECT_EQ(sp.at("attributes").at(6).at("value").at("arrayValue").at("values").at(1).at("intValue"),
              "9007199254740993");
    EXPECT_EQ(sp.at("droppedAttributesCount"), 3);
    EXPECT_EQ(sp.at("events").at(0).at("timeUnixNano"), "1700000000100000000");
    EXPECT_EQ(sp.at("droppedEventsCount"), 4);
    EXPECT_EQ(sp.at("links").at(0).at("traceId"), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(sp.at("links").at(0).at("flags"), 0x300);
    EXPECT_EQ(sp.at("droppedLinksCount"), 5);
    EXPECT_EQ(sp.at("status").at("code"), 2);
    EXPECT_EQ(sp.at("status").at("message"), "boom");
    EXPECT_FALSE(sp.contains("dropped_attributes_count"));  // never snake_case
}

// Every string field of a span, with bytes that are not UTF-8 (what a client can put in a path,
// a header or a body).
std::vector<std::unique_ptr<SpanData>> MakeBadUtf8Batch() {
    auto s = std::make_unique<SpanData>();
    s->context.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    s->context.span_id = *SpanId::FromHex("00f067aa0ba902b7");
    s->name = "GET /api/tomes/\xFF\xFE";
    s->attributes = {{"url.path", std::string("/api/tomes/\xC3")},
                     {"key\xED\xA0\x80", std::string("v")},
                     {"as", std::vector<std::string>{"ok", "\xF0\x9F\x98"}}};
    s->events.push_back(Event{"ev\xC0\xAF", 1, {{"k", std::string("\xE2\x82")}}, 0});
    s->status = Status{StatusCode::kError, "bad \xFF"};
    s->resource = std::make_shared<const Resource>(
        std::vector<Attribute>{{"service.name", std::string("svc\xFE")}});
    s->scope = std::make_shared<const InstrumentationScope>(
        InstrumentationScope{"scope\xFF", "1.\xC3", ""});
    std::vector<std::unique_ptr<SpanData>> batch;
    batch.push_back(std::move(s));
    return batch;
}

const std::string kR = "\xEF\xBF\xBD";  // U+FFFD

TEST(TelemetryOtlpProto, StringsThatAreNotUtf8ArriveWithReplacementCharacters) {
    auto batch = MakeBadUtf8Batch();
    // libprotobuf refuses a proto3 string that is not UTF-8 (as the Collector does): without
    // the check, the request does not parse at all.
    pb::collector::trace::v1::ExportTraceServiceRequest unchecked;
    std::string raw;
    EncodeOtlpProtoWithoutUtf8CheckForTesting(batch, raw);
    EXPECT_FALSE(unchecked.ParseFromString(raw));

    pb::collector::trace::v1::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(EncodeOtlpProto(batch)));
    const auto& rs = req.resource_spans(0);
    EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "svc" + kR);
    EXPECT_EQ(rs.scope_spans(0).scope().name(), "scope" + kR);
    EXPECT_EQ(rs.scope_spans(0).scope().version(), "1." + kR);
    const auto& sp = rs.scope_spans(0).spans(0);
    EXPECT_EQ(sp.name(), "GET /api/tomes/" + kR + kR);
    EXPECT_EQ(sp.attributes(0).value().string_value(), "/api/tomes/" + kR);
    EXPECT_EQ(sp.attributes(1).key(), "key" + kR + kR + kR);
    EXPECT_EQ(sp.attributes(2).value().array_value().values(1).string_value(), kR);
    EXPECT_EQ(sp.events(0).name(), "ev" + kR + kR);
    EXPECT_EQ(sp.events(0).attributes(0).value().string_value(), kR);
    EXPECT_EQ(sp.status().message(), "bad " + kR);
    // Valid strings are untouched, and the encoding of a valid batch does not change.
    EXPECT_EQ(sp.attributes(2).value().array_value().values(0).string_value(), "ok");
    auto good = MakeBatch();
    std::string unchecked_good;
    EncodeOtlpProtoWithoutUtf8CheckForTesting(good, unchecked_good);
    EXPECT_EQ(EncodeOtlpProto(good), unchecked_good);
}

TEST(TelemetryOtlpJson, StringsThatAreNotUtf8ArriveWithReplacementCharacters) {
    auto batch = MakeBadUtf8Batch();
    const auto j = nlohmann::json::parse(EncodeOtlpJson(batch));  // throws on invalid UTF-8
    const auto& rs = j.at("resourceSpans").at(0);
    EXPECT_EQ(rs.at("resource").at("attributes").at(0).at("value").at("stringValue"), "svc" + kR);
    EXPECT_EQ(rs.at("scopeSpans").at(0).at("scope").at("name"), "scope" + kR);
    const auto& sp = rs.at("scopeSpans").at(0).at("spans").at(0);
    EXPECT_EQ(sp.at("name"), "GET /api/tomes/" + kR + kR);
    EXPECT_EQ(sp.at("attributes").at(1).at("key"), "key" + kR + kR + kR);
    EXPECT_EQ(sp.at("events").at(0).at("name"), "ev" + kR + kR);
    EXPECT_EQ(sp.at("status").at("message"), "bad " + kR);
}

TEST(TelemetryOtlpResponse, PartialSuccessDecoding) {
    pb::collector::trace::v1::ExportTraceServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_spans(7);
    resp.mutable_partial_success()->set_error_message("too old");
    auto ps = DecodePartialSuccessProto(resp.SerializeAsString());
    ASSERT_TRUE(ps);
    EXPECT_EQ(ps->rejected_spans, 7);
    EXPECT_EQ(ps->error_message, "too old");
    EXPECT_FALSE(DecodePartialSuccessProto(""));
    EXPECT_FALSE(DecodePartialSuccessProto("\x0a\x05\x08"));  // truncated

    auto pj = DecodePartialSuccessJson(
        R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad span"}})");
    ASSERT_TRUE(pj);
    EXPECT_EQ(pj->rejected_spans, 3);
    EXPECT_EQ(pj->error_message, "bad span");
    EXPECT_FALSE(DecodePartialSuccessJson("{}"));
}

}  // namespace
}  // namespace tome::telemetry::exporter
