// LogRecord: the owned data of one log record as processors and exporters see it, with its
// structured value type (LogValue: the OTLP AnyValue, nested arrays and maps included) and the
// severity scale. Plain values; thread-safety is that of the object (hand records over, do not
// share them mutably).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::logs {

/// OpenTelemetry SeverityNumber. Any value 0..24 is valid; the named ones are the lowest of
/// each range (TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24).
enum class Severity : std::uint8_t {
    kUnspecified = 0,
    kTrace = 1,
    kDebug = 5,
    kInfo = 9,
    kWarn = 13,
    kError = 17,
    kFatal = 21,
};

/// Short name per the data model: "TRACE", "INFO2", ..., "FATAL4"; "UNSPECIFIED" for 0 and
/// for values past 24.
std::string_view SeverityShortName(Severity severity) noexcept;
/// Lowercase level of the range: "trace", "debug", "info", "warn", "error", "fatal"; 0 and
/// values past 24 map to "info" (a record without a level is ordinary output).
std::string_view SeverityLevelName(Severity severity) noexcept;
/// The inverse for configuration: "trace" -> kTrace, ..., "fatal" -> kFatal (the first severity
/// of each range); nullopt for any other text (case matters).
std::optional<Severity> SeverityFromLevelName(std::string_view level) noexcept;

struct LogKeyValue;

/// An OTLP AnyValue: empty, scalar, bytes, array or key/value list (nestable).
struct LogValue {
    struct Bytes {
        std::string data;
        friend bool operator==(const Bytes&, const Bytes&) = default;
    };
    using Array = std::vector<LogValue>;
    using Map = std::vector<LogKeyValue>;
    using Storage =
        std::variant<std::monostate, bool, std::int64_t, double, std::string, Bytes, Array, Map>;

    Storage value;

    // Defined below LogKeyValue: a constructor's body needs Map's element type complete
    // (clang with libstdc++ checks it where the body is written).
    LogValue() = default;
    LogValue(bool v);              // NOLINT
    LogValue(std::int64_t v);      // NOLINT
    LogValue(int v);               // NOLINT
    LogValue(double v);            // NOLINT
    LogValue(std::string v);       // NOLINT
    LogValue(std::string_view v);  // NOLINT
    LogValue(const char* v);       // NOLINT
    LogValue(Array v);             // NOLINT
    LogValue(Map v);               // NOLINT
    LogValue(Bytes v);             // NOLINT

    bool empty() const noexcept { return value.index() == 0; }
    /// The string when this holds one, else nullptr.
    const std::string* AsString() const noexcept { return std::get_if<std::string>(&value); }
    friend bool operator==(const LogValue&, const LogValue&);
};

/// One attribute (or one entry of a map value).
struct LogKeyValue {
    std::string key;
    LogValue value;
    friend bool operator==(const LogKeyValue&, const LogKeyValue&) = default;
};

inline LogValue::LogValue(bool v) : value(v) {}
inline LogValue::LogValue(std::int64_t v) : value(v) {}
inline LogValue::LogValue(int v) : value(static_cast<std::int64_t>(v)) {}
inline LogValue::LogValue(double v) : value(v) {}
inline LogValue::LogValue(std::string v) : value(std::move(v)) {}
inline LogValue::LogValue(std::string_view v) : value(std::string(v)) {}
inline LogValue::LogValue(const char* v) : value(std::string(v)) {}
inline LogValue::LogValue(Array v) : value(std::move(v)) {}
inline LogValue::LogValue(Map v) : value(std::move(v)) {}
inline LogValue::LogValue(Bytes v) : value(std::move(v)) {}

inline bool operator==(const LogValue& a, const LogValue& b) { return a.value == b.value; }

/// Converts a borrowed trace attribute value (scalars and homogeneous arrays) to a LogValue.
LogValue ToLogValue(const trace::AttributeView& view);

/// Everything an exporter needs about one emitted record.
struct LogRecord {
    std::uint64_t time_unix_nano = 0;           ///< When the event happened; 0 = unknown.
    std::uint64_t observed_time_unix_nano = 0;  ///< Set by the Logger when it sees the record.
    Severity severity = Severity::kUnspecified;
    std::string severity_text;  ///< Original level text; empty = use SeverityShortName.
    LogValue body;
    std::vector<LogKeyValue> attributes;
    std::uint32_t dropped_attributes_count = 0;
    std::string event_name;
    /// Trace context. Left invalid by the caller, the Logger fills it from the current Context.
    TraceId trace_id;
    SpanId span_id;
    std::uint8_t trace_flags = 0;
    /// Set by the Logger (shared by all its records).
    std::shared_ptr<const trace::Resource> resource;
    std::shared_ptr<const trace::InstrumentationScope> scope;
};

}  // namespace tome::telemetry::logs
