#include "tome/telemetry/logs/logger.hpp"

#include <algorithm>

#include "log_record_fill.hpp"
#include "tome/telemetry/logs/log_record_pool.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::logs {
namespace {

std::uint64_t SystemNowUnixNano() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace

Logger::Logger(std::shared_ptr<const LoggerProvider> provider,
               std::shared_ptr<const trace::InstrumentationScope> scope, bool enabled,
               std::uint8_t min_severity) noexcept
    : provider_(std::move(provider)),
      scope_(std::move(scope)),
      enabled_(enabled),
      min_severity_(min_severity) {}

bool Logger::Passes(Severity severity) const noexcept {
    // Severity 0 (unspecified) counts as passing only when nothing is filtered.
    return enabled_ && (static_cast<std::uint8_t>(severity) >= min_severity_ ||
                        (severity == Severity::kUnspecified && min_severity_ <= 1));
}

void Logger::Emit(LogRecord record) noexcept {
    if (!Passes(record.severity)) return;
    try {
        std::unique_ptr<LogRecord> r = AcquireLogRecord();
        *r = std::move(record);
        EmitOwned(std::move(r));
    } catch (...) {
        // Out of memory while building the record: drop it, never break the caller.
    }
}

void Logger::EmitOwned(std::unique_ptr<LogRecord> r, std::uint64_t observed_unix_nano) const noexcept {
    const LoggerProviderOptions& o = provider_->options_;
    if (observed_unix_nano == 0)
        observed_unix_nano = o.now_unix_nano ? o.now_unix_nano() : SystemNowUnixNano();
    r->observed_time_unix_nano = observed_unix_nano;
    // A pooled record usually holds these already: skip the reference-count round trips.
    if (r->resource != o.resource) r->resource = o.resource;
    if (r->scope != scope_) r->scope = scope_;
    // Explicit ids win; otherwise the resolved (current) context fills all three fields.
    if (!r->trace_id.IsValid() && !r->span_id.IsValid()) {
        const trace::SpanContext& sc = trace::Context::Current().span_context;
        if (sc.IsValid()) {
            r->trace_id = sc.trace_id;
            r->span_id = sc.span_id;
            r->trace_flags = sc.trace_flags;
        }
    }
    // Redact before any processor sees the record, so every destination is covered.
    RedactAttributes(r->attributes, o.redaction);
    RedactValue(r->body, o.redaction);
    provider_->Dispatch(std::move(r));
}

void Logger::LogSlow(Severity severity, std::string_view message,
                     std::span<const trace::AttributeKV> attributes,
                     const trace::SpanContext& span, std::uint64_t time_unix_nano) noexcept {
    try {
        // A pooled record, overwritten in place: its strings and attribute list keep the
        // capacity of their last use, so a steady stream of records allocates nothing.
        std::unique_ptr<LogRecord> r = detail::AcquireLogRecordForFill();
        // One clock read: a record logged "now" is observed at the same instant.
        const auto& clock = provider_->options_.now_unix_nano;
        const std::uint64_t now = clock ? clock() : SystemNowUnixNano();
        detail::FillLogRecord(*r, severity, message, attributes,
                              time_unix_nano != 0 ? time_unix_nano : now, span);
        EmitOwned(std::move(r), now);
    } catch (...) {
    }
}

LoggerProvider::LoggerProvider() noexcept : noop_(true) {}

LoggerProvider::LoggerProvider(LoggerProviderOptions options)
    : options_(std::move(options)), noop_(false) {
    if (!options_.resource) options_.resource = std::make_shared<const trace::Resource>();
    options_.processors.erase(
        std::remove(options_.processors.begin(), options_.processors.end(), nullptr),
        options_.processors.end());
}

LoggerProvider::~LoggerProvider() { Shutdown(std::chrono::seconds(5)); }

std::shared_ptr<Logger> LoggerProvider::GetLogger(std::string_view name, std::string_view version,
                                                  std::string_view schema_url) {
    auto scope = std::make_shared<const trace::InstrumentationScope>(trace::InstrumentationScope{
        std::string(name), std::string(version), std::string(schema_url)});
    const bool enabled = !noop_ && !shut_down_.load(std::memory_order_acquire);
    return std::shared_ptr<Logger>(new Logger(shared_from_this(), std::move(scope), enabled,
                                              static_cast<std::uint8_t>(options_.min_severity)));
}

void LoggerProvider::Dispatch(std::unique_ptr<LogRecord> record) const noexcept {
    const auto& ps = options_.processors;
    if (ps.empty()) return;
    for (std::size_t i = 0; i + 1 < ps.size(); ++i) {
        try {
            ps[i]->OnEmit(CopyLogRecord(*record));
        } catch (...) {
        }
    }
    ps.back()->OnEmit(std::move(record));
}

bool LoggerProvider::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = true;
    for (const auto& p : options_.processors) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        ok = p->ForceFlush(std::max(left, std::chrono::milliseconds(0))) && ok;
    }
    return ok;
}

bool LoggerProvider::Shutdown(std::chrono::milliseconds timeout) noexcept {
    if (shut_down_.exchange(true)) return true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = true;
    for (const auto& p : options_.processors) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        ok = p->Shutdown(std::max(left, std::chrono::milliseconds(0))) && ok;
    }
    return ok;
}

std::shared_ptr<LoggerProvider> MakeLoggerProvider(LoggerProviderOptions options) {
    return std::make_shared<LoggerProvider>(std::move(options));
}

namespace {

struct GlobalSlot {
    std::mutex mu;
    std::shared_ptr<LoggerProvider> noop = std::make_shared<LoggerProvider>();
    std::shared_ptr<LoggerProvider> current;  // guarded by mu; null = noop
};

GlobalSlot& Global() noexcept {
    static GlobalSlot* const slot = new GlobalSlot();  // leaked: usable during static destruction
    return *slot;
}

}  // namespace

std::shared_ptr<LoggerProvider> GetLoggerProvider() noexcept {
    auto& g = Global();
    std::lock_guard lock(g.mu);
    return g.current ? g.current : g.noop;
}

void SetLoggerProvider(std::shared_ptr<LoggerProvider> provider) noexcept {
    auto& g = Global();
    std::shared_ptr<LoggerProvider> old;
    {
        std::lock_guard lock(g.mu);
        old = std::exchange(g.current, std::move(provider));
    }
    // `old` is released outside the lock: its destructor may flush processors.
}

}  // namespace tome::telemetry::logs
