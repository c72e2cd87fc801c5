// Context propagation over text maps (HTTP headers): the W3C traceparent/tracestate and W3C
// baggage propagators, a composite propagator, and building the set from OTEL_PROPAGATORS.
// Propagators are immutable and may be used from any thread; carriers are borrowed per call.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span_context.hpp"

namespace tome::telemetry::trace {

/// Header access for a propagator. Names are passed in lowercase; carriers over HTTP headers
/// should compare case-insensitively.
class TextMapCarrier {
public:
    virtual ~TextMapCarrier() = default;
    /// The value of header `key`, or nullopt. The view stays valid while the carrier lives.
    virtual std::optional<std::string_view> Get(std::string_view key) const noexcept = 0;
    /// Sets (replaces) header `key`.
    virtual void Set(std::string_view key, std::string_view value) noexcept = 0;
};

/// A carrier over a std::map with lowercased keys (tests, in-process hand-offs).
class MapCarrier final : public TextMapCarrier {
public:
    std::optional<std::string_view> Get(std::string_view key) const noexcept override;
    void Set(std::string_view key, std::string_view value) noexcept override;
    std::map<std::string, std::string, std::less<>> headers;
};

class TextMapPropagator {
public:
    TextMapPropagator() = default;
    virtual ~TextMapPropagator() = default;
    TextMapPropagator(const TextMapPropagator&) = delete;
    TextMapPropagator& operator=(const TextMapPropagator&) = delete;

    /// Writes the context's fields into `carrier`. Writes nothing for an invalid context.
    virtual void Inject(const Context& context, TextMapCarrier& carrier) const noexcept = 0;
    /// Returns `base` updated with what `carrier` holds; invalid input leaves `base` as is.
    virtual Context Extract(const TextMapCarrier& carrier, const Context& base) const noexcept = 0;
    /// Header names this propagator reads and writes.
    virtual std::vector<std::string> Fields() const = 0;
};

/// W3C Trace Context: `traceparent` and `tracestate`.
std::unique_ptr<TextMapPropagator> MakeTraceContextPropagator();
/// W3C Baggage: `baggage`.
std::unique_ptr<TextMapPropagator> MakeBaggagePropagator();
/// Runs each propagator in order (Extract chains the contexts).
std::unique_ptr<TextMapPropagator> MakeCompositePropagator(
    std::vector<std::unique_ptr<TextMapPropagator>> propagators);
/// OpenTelemetry's default: W3C Trace Context then W3C Baggage (OTEL_PROPAGATORS unset), for
/// components given no propagator of their own.
std::unique_ptr<TextMapPropagator> MakeW3cPropagator();

/// Parses a traceparent value per W3C (version ff invalid; version 00 exactly 55 characters;
/// higher versions parsed leniently from their first 55 characters; lowercase hex; all-zero
/// ids invalid). The result is marked remote.
std::optional<SpanContext> ParseTraceParent(std::string_view value) noexcept;
/// "00-<trace id>-<span id>-<flags>" (55 characters).
std::string FormatTraceParent(const SpanContext& context);

/// W3C baggage limits applied on both inject and extract.
inline constexpr std::size_t kMaxBaggageMembers = 64;
inline constexpr std::size_t kMaxBaggageBytes = 8192;

/// Parses a baggage header: invalid members are skipped; members past the limits are dropped.
Baggage ParseBaggage(std::string_view header);
/// Encodes baggage (values percent-encoded), dropping members that would exceed the limits.
std::string FormatBaggage(const Baggage& baggage);

/// The propagator named by OTEL_PROPAGATORS (default "tracecontext,baggage"; "none" gives an
/// empty composite). Unknown or unsupported names are skipped and reported in `warnings`.
struct PropagatorFromEnv {
    std::unique_ptr<TextMapPropagator> propagator;
    std::vector<std::string> warnings;
};
PropagatorFromEnv MakePropagatorFromEnv(const EnvLookup& env);

}  // namespace tome::telemetry::trace
