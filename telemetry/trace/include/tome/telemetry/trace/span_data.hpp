// SpanData: the finished record of a recording span, handed from Span::End to processors and
// exporters, plus its parts (kind, status, events, links, instrumentation scope). Plain data:
// one owner at a time (a processor moves it along); no internal synchronisation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/span_context.hpp"

namespace tome::telemetry::trace {

class Resource;

/// OTLP SpanKind values (UNSPECIFIED is never produced by the SDK).
enum class SpanKind : std::uint8_t {
    kInternal = 1,
    kServer = 2,
    kClient = 3,
    kProducer = 4,
    kConsumer = 5
};

/// OTLP StatusCode values.
enum class StatusCode : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct Status {
    StatusCode code = StatusCode::kUnset;
    std::string description;  ///< Only kept for kError.

    friend bool operator==(const Status&, const Status&) = default;
};

struct Event {
    std::string name;
    std::uint64_t time_unix_nano = 0;
    std::vector<Attribute> attributes;
    std::uint32_t dropped_attributes_count = 0;
};

struct Link {
    SpanContext context;
    std::vector<Attribute> attributes;
    std::uint32_t dropped_attributes_count = 0;
};

/// The tracer's name and version (OTLP InstrumentationScope).
struct InstrumentationScope {
    std::string name;
    std::string version;
    std::string schema_url;
};

/// Everything an exporter needs about one ended span.
struct SpanData {
    SpanContext context;
    SpanId parent_span_id;          ///< Invalid (all zero) for a root span.
    bool parent_is_remote = false;  ///< The parent came from another process.
    std::string name;
    SpanKind kind = SpanKind::kInternal;
    std::uint64_t start_unix_nano = 0;
    std::uint64_t end_unix_nano = 0;
    std::vector<Attribute> attributes;
    std::uint32_t dropped_attributes_count = 0;
    std::vector<Event> events;
    std::uint32_t dropped_events_count = 0;
    std::vector<Link> links;
    std::uint32_t dropped_links_count = 0;
    Status status;
    std::shared_ptr<const InstrumentationScope> scope;  ///< Never null once started.
    std::shared_ptr<const Resource> resource;           ///< Never null once started.

    /// OTLP Span.flags: W3C flags in bits 0-7, 0x100 (has is_remote) always, 0x200 when the
    /// parent is remote.
    std::uint32_t OtlpFlags() const noexcept {
        return static_cast<std::uint32_t>(context.trace_flags) | 0x100u |
               (parent_is_remote ? 0x200u : 0u);
    }
};

}  // namespace tome::telemetry::trace
