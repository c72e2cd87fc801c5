// LoggerProvider (owns the processors, resource, minimum severity and redaction rules), Logger
// (one instrumentation scope; stamps, redacts and hands records on) and the global provider
// accessor. All methods may be called concurrently; the global provider is never null.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/logs/log_record.hpp"
#include "tome/telemetry/logs/redaction.hpp"
#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/span_context.hpp"

namespace tome::telemetry::logs {

struct LoggerProviderOptions {
    /// Records below this severity are dropped before anything is built. Default kTrace (1):
    /// everything with a level passes. Raising it makes more Log calls a single compare.
    Severity min_severity = Severity::kTrace;
    /// Resource stamped on every record. Default: an empty resource.
    std::shared_ptr<const trace::Resource> resource;
    /// Processors, called in order (all but the last get a copy). Default none (records are
    /// stamped, then discarded).
    std::vector<std::unique_ptr<LogProcessor>> processors;
    /// Redaction of sensitive attribute values, applied before any processor. Default: on,
    /// with the built-in key list.
    RedactionOptions redaction;
    /// Wall clock in ns since the Unix epoch, for observed timestamps. Default system_clock.
    std::function<std::uint64_t()> now_unix_nano;
};

class LoggerProvider;

/// Emits records for one instrumentation scope. Cheap to copy around as a shared_ptr.
class Logger {
public:
    /// True when a record of `severity` would be processed. One relaxed compare.
    bool Enabled(Severity severity) const noexcept {
        return enabled_ && static_cast<std::uint8_t>(severity) >= min_severity_;
    }

    /// Stamps (observed time, resource, scope, trace context from Context::Current() unless the
    /// record has ids), redacts and hands the record to the processors. Drops it when
    /// !Enabled(record.severity) (severity 0 passes when the minimum is at most kTrace).
    void Emit(LogRecord record) noexcept;

    /// Convenience: checks Enabled before building anything, then emits a record with a string
    /// body, the given attributes and time_unix_nano = now.
    void Log(Severity severity, std::string_view message,
             std::initializer_list<trace::AttributeKV> attributes = {}) noexcept {
        if (!Enabled(severity)) return;
        LogSlow(severity, message, attributes);
    }
    /// The same for an attribute list built at run time, on behalf of an operation whose span
    /// need not be the thread's current one: the record carries the ids of `span` when it is
    /// valid (else the current Context's) and time `time_unix_nano` (0: now).
    void Log(Severity severity, std::string_view message,
             std::span<const trace::AttributeKV> attributes, const trace::SpanContext& span,
             std::uint64_t time_unix_nano = 0) noexcept {
        if (!Enabled(severity)) return;
        LogSlow(severity, message, attributes, span, time_unix_nano);
    }
    void Trace(std::string_view m, std::initializer_list<trace::AttributeKV> a = {}) noexcept {
        Log(Severity::kTrace, m, a);
    }
    void Debug(std::string_view m, std::initializer_list<trace::AttributeKV> a = {}) noexcept {
        Log(Severity::kDebug, m, a);
    }
    void Info(std::string_view m, std::initializer_list<trace::AttributeKV> a = {}) noexcept {
        Log(Severity::kInfo, m, a);
    }
    void Warn(std::string_view m, std::initializer_list<trace::AttributeKV> a = {}) noexcept {
        Log(Severity::kWarn, m, a);
    }
    void Error(std::string_view m, std::initializer_list<trace::AttributeKV> a = {}) noexcept {
        Log(Severity::kError, m, a);
    }
    void Fatal(std::string_view m, std::initializer_list<trace::AttributeKV> a = {}) noexcept {
        Log(Severity::kFatal, m, a);
    }

    const trace::InstrumentationScope& scope() const noexcept { return *scope_; }

private:
    friend class LoggerProvider;
    Logger(std::shared_ptr<const LoggerProvider> provider,
           std::shared_ptr<const trace::InstrumentationScope> scope, bool enabled,
           std::uint8_t min_severity) noexcept;
    void LogSlow(Severity severity, std::string_view message,
                 std::initializer_list<trace::AttributeKV> attributes) noexcept {
        LogSlow(severity, message,
                std::span<const trace::AttributeKV>(attributes.begin(), attributes.size()), {}, 0);
    }
    void LogSlow(Severity severity, std::string_view message,
                 std::span<const trace::AttributeKV> attributes, const trace::SpanContext& span,
                 std::uint64_t time_unix_nano) noexcept;

    // Enabled, plus severity 0 when nothing is filtered (what Emit accepts).
    bool Passes(Severity severity) const noexcept;
    // Stamps (observed time: `observed_unix_nano`, 0 = read the clock), redacts and
    // dispatches a filled record.
    void EmitOwned(std::unique_ptr<LogRecord> record,
                   std::uint64_t observed_unix_nano = 0) const noexcept;

    const std::shared_ptr<const LoggerProvider> provider_;
    const std::shared_ptr<const trace::InstrumentationScope> scope_;
    const bool enabled_;
    const std::uint8_t min_severity_;
};

/// Owns the processors. Create with MakeLoggerProvider (or a default-constructed no-op one).
class LoggerProvider : public std::enable_shared_from_this<LoggerProvider> {
public:
    /// A no-op provider: its loggers are never Enabled.
    LoggerProvider() noexcept;
    explicit LoggerProvider(LoggerProviderOptions options);
    /// Shuts down (5 s budget) if not done yet.
    ~LoggerProvider();
    LoggerProvider(const LoggerProvider&) = delete;
    LoggerProvider& operator=(const LoggerProvider&) = delete;

    /// A logger for the scope. Precondition: the provider is owned by a shared_ptr.
    std::shared_ptr<Logger> GetLogger(std::string_view name, std::string_view version = {},
                                      std::string_view schema_url = {});

    /// Flushes every processor within `timeout` in total; false when one failed.
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept;
    /// Shuts every processor down within `timeout` in total. Idempotent; afterwards records
    /// are dropped by the processors.
    bool Shutdown(std::chrono::milliseconds timeout) noexcept;

private:
    friend class Logger;
    void Dispatch(std::unique_ptr<LogRecord> record) const noexcept;

    LoggerProviderOptions options_;
    const bool noop_;
    std::atomic<bool> shut_down_{false};
};

/// A live provider.
std::shared_ptr<LoggerProvider> MakeLoggerProvider(LoggerProviderOptions options);

/// The process-wide provider; never null (a no-op provider until SetLoggerProvider). Loggers
/// taken before SetLoggerProvider stay no-op: take them after start-up wiring.
std::shared_ptr<LoggerProvider> GetLoggerProvider() noexcept;
/// Installs `provider` (null restores the no-op one).
void SetLoggerProvider(std::shared_ptr<LoggerProvider> provider) noexcept;

}  // namespace tome::telemetry::logs
