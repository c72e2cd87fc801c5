// TracerProvider (owns the sampler, processors, limits and resource) and Tracer (creates spans
// for one instrumentation scope), plus the process-wide provider accessor, which never returns
// null and is a no-op until the app installs an SDK provider. All methods may be called
// concurrently; Tracer is a cheap copyable value.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/sampler.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/span_processor.hpp"

namespace tome::telemetry::trace {

/// Span limits (OpenTelemetry defaults). Excess attributes, events and links are dropped and
/// counted in the SpanData's dropped_*_count fields.
struct SpanLimits {
    std::size_t attribute_count = 128;                ///< Per span. Default 128.
    std::size_t attribute_value_length = kUnlimited;  ///< Characters. Default unlimited.
    std::size_t event_count = 128;                    ///< Default 128.
    std::size_t link_count = 128;                     ///< Default 128.
    std::size_t attributes_per_event = 128;           ///< Default 128.
    std::size_t attributes_per_link = 128;            ///< Default 128.
};

/// Options for StartSpan. Borrowed members must outlive the call.
struct StartSpanOptions {
    SpanKind kind = SpanKind::kInternal;      ///< Default internal.
    std::span<const AttributeKV> attributes;  ///< Initial attributes (seen by the sampler).
    std::span<const LinkInput> links;         ///< Links known at start (seen by the sampler).
    std::uint64_t start_unix_nano = 0;        ///< Default 0: now.
    const Context* parent = nullptr;          ///< Default: Context::Current().
    bool root = false;                        ///< True: ignore any parent (new trace).
};

class Tracer {
public:
    /// A no-op tracer: spans are non-recording and carry the parent's context.
    Tracer() noexcept = default;

    /// Starts a span: picks the parent, the trace id, asks the sampler, then makes the span id.
    Span StartSpan(std::string_view name, const StartSpanOptions& options = {}) const noexcept;
    Span StartSpan(std::string_view name, std::initializer_list<AttributeKV> attributes,
                   StartSpanOptions options = {}) const noexcept {
        options.attributes = std::span<const AttributeKV>(attributes.begin(), attributes.size());
        return StartSpan(name, options);
    }
    /// False for a no-op tracer or after the provider shut down.
    bool Enabled() const noexcept;
    const InstrumentationScope* scope() const noexcept { return scope_.get(); }

private:
    friend class TracerProvider;
    Tracer(std::shared_ptr<detail::ProviderState> state,
           std::shared_ptr<const InstrumentationScope> scope) noexcept
        : state_(std::move(state)), scope_(std::move(scope)) {}
    // After the sampling decision: makes the span id and, unless dropped, the SpanData.
    Span StartRecording(std::string_view name, const StartSpanOptions& options,
                        const Context& parent_ctx, const TraceId& trace_id,
                        SamplingResult result) const noexcept;

    std::shared_ptr<detail::ProviderState> state_;
    std::shared_ptr<const InstrumentationScope> scope_;
};

struct TracerProviderOptions {
    /// Default ParentBased(root = AlwaysOn).
    std::unique_ptr<Sampler> sampler;
    /// Called in order. Default: none (spans are recorded, then discarded).
    std::vector<std::unique_ptr<SpanProcessor>> processors;
    SpanLimits limits;  ///< Default: SpanLimits{}.
    /// Default: MakeResource({}, no environment) (telemetry.sdk.*, host, process, service).
    std::shared_ptr<const Resource> resource;
    /// Wall clock in Unix nanoseconds. Default: std::chrono::system_clock.
    std::function<std::uint64_t()> now_unix_nano;
    /// Self-observation counters. Default: DefaultSelfStats().
    SelfStats* stats = nullptr;
};

class TracerProvider {
public:
    explicit TracerProvider(TracerProviderOptions options);
    /// Shuts down (5 s budget) if not done yet.
    ~TracerProvider();
    TracerProvider(const TracerProvider&) = delete;
    TracerProvider& operator=(const TracerProvider&) = delete;

    /// A provider whose tracers are all no-ops.
    static std::shared_ptr<TracerProvider> MakeNoop();

    /// A tracer for the scope (name, version). Equal scopes share one InstrumentationScope.
    /// After Shutdown, returns a no-op tracer.
    Tracer GetTracer(std::string_view name, std::string_view version = {},
                     std::string_view schema_url = {});
    bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
    /// Shuts every processor down once; later calls return true at once.
    bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
    bool is_noop() const noexcept { return state_ == nullptr; }
    /// Precondition: !is_noop().
    const Resource& resource() const noexcept;

private:
    TracerProvider() = default;
    std::shared_ptr<detail::ProviderState> state_;
    std::mutex mu_;  // guards scopes_
    std::vector<std::shared_ptr<const InstrumentationScope>> scopes_;
};

/// The process-wide provider; never null (a no-op provider until SetTracerProvider).
std::shared_ptr<TracerProvider> GetTracerProvider() noexcept;
/// Installs `provider` (null restores the no-op one). The previous one is not shut down.
void SetTracerProvider(std::shared_ptr<TracerProvider> provider) noexcept;

/// The current Unix time in nanoseconds (system clock).
std::uint64_t SystemNowUnixNano() noexcept;

}  // namespace tome::telemetry::trace
