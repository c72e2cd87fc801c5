// SpanData: the finished record of a recording span, handed from Span::End to processors and
// exporters, plus its parts (kind, status, events, links, instrumentation scope). Plain data:
// one owner at a time (a processor moves it along); no internal synchronisation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

/// The attributes of a pooled record's previous use (span_data_pool.hpp), kept so that the
/// next use builds its attributes in their strings' buffers instead of freeing and allocating
/// them again. Not part of the span: a copy of a record carries none, and nothing exports them.
class AttributeBuffers {
public:
    AttributeBuffers() = default;
    AttributeBuffers(const AttributeBuffers&) noexcept {}
    AttributeBuffers& operator=(const AttributeBuffers&) noexcept { return *this; }
    AttributeBuffers(AttributeBuffers&&) noexcept = default;
    AttributeBuffers& operator=(AttributeBuffers&&) noexcept = default;
    ~AttributeBuffers() = default;

    /// Takes `attributes` (left empty, its capacity kept) as the buffers of the next use;
    /// buffers the last use did not take are freed.
    void Retire(std::vector<Attribute>& attributes) noexcept {
        spare_.clear();
        spare_.swap(attributes);
    }
    /// `{key, value}`, in a spare attribute's buffers when there is one.
    Attribute Make(std::string_view key, const AttributeView& value, std::size_t max_length) {
        if (spare_.empty()) return Attribute{std::string(key), ToOwned(value, max_length)};
        Attribute a = std::move(spare_.back());
        spare_.pop_back();
        a.key.assign(key);
        AssignOwned(a.value, value, max_length);
        return a;
    }
    /// A copy of `attribute`, in a spare attribute's buffers when there is one.
    Attribute Copy(const Attribute& attribute) {
        if (spare_.empty()) return attribute;
        Attribute a = std::move(spare_.back());
        spare_.pop_back();
        a.key.assign(attribute.key);
        a.value = attribute.value;  // a string into a string keeps its buffer
        return a;
    }

private:
    std::vector<Attribute> spare_;
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
    AttributeBuffers attribute_buffers;  ///< The pool's; not part of the span.

    /// OTLP Span.flags: W3C flags in bits 0-7, 0x100 (has is_remote) always, 0x200 when the
    /// parent is remote.
    std::uint32_t OtlpFlags() const noexcept {
        return static_cast<std::uint32_t>(context.trace_flags) | 0x100u |
               (parent_is_remote ? 0x200u : 0u);
    }
};

}  // namespace tome::telemetry::trace
