// Telemetry: building the SDK from a TelemetryConfig (moved here from the app's former
// BuildTelemetry), the user-facing calls, statistics and the ordered, bounded Shutdown.
#include "tome/facade/telemetry.hpp"

#include <algorithm>

#include "counting_log_processor.hpp"
#include "tome/connector/business_context.hpp"
#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/export/logs_env_config.hpp"
#include "tome/telemetry/export/metrics_env_config.hpp"
#include "tome/telemetry/logs/console_json_exporter.hpp"
#include "tome/telemetry/metrics/self_metrics.hpp"

namespace tome::facade {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
namespace logs = telemetry::logs;

namespace {

constexpr std::string_view kScope = "tome";

// The log pipeline's own counts as otel.sdk.* metrics, beside the span counts, so a dashboard
// shows when logs are being lost too.
using LogStats = std::vector<std::function<logs::BatchLogProcessorStats()>>;
std::vector<metrics::ObservableInstrument> RegisterLogMetrics(metrics::Meter& meter,
                                                              const LogStats& processors) {
    std::vector<metrics::ObservableInstrument> out;
    auto exported = meter.CreateObservableCounter<std::int64_t>(
        "otel.sdk.exporter.log.exported",
        [processors](metrics::ObserverResult& r) {
            std::int64_t n = 0;
            for (const auto& p : processors) n += static_cast<std::int64_t>(p().exported);
            r.Observe(n);
        },
        {.description = "Log records an exporter accepted", .unit = "{log_record}"});
    if (exported.ok()) out.push_back(std::move(exported.instrument));
    auto dropped = meter.CreateObservableCounter<std::int64_t>(
        "otel.sdk.log.dropped",
        [processors](metrics::ObserverResult& r) {
            std::int64_t queue_full = 0, export_failed = 0, shutdown = 0;
            for (const auto& p : processors) {
                const auto s = p();
                queue_full += static_cast<std::int64_t>(s.dropped_queue_full);
                export_failed += static_cast<std::int64_t>(s.dropped_export_failed);
                shutdown += static_cast<std::int64_t>(s.dropped_shutdown);
            }
            r.Observe(queue_full, {{"reason", "queue_full"}});
            r.Observe(export_failed, {{"reason", "export_failed"}});
            r.Observe(shutdown, {{"reason", "shutdown"}});
        },
        {.description = "Log records lost before or during export, by reason",
         .unit = "{log_record}"});
    if (dropped.ok()) out.push_back(std::move(dropped.instrument));
    return out;
}

Status Invalid(const std::string& message) { return InvalidArgument(message); }

thread_local SpanScope* t_span_scope = nullptr;

}  // namespace

// Everything Create builds before the Telemetry exists.
struct Telemetry::Parts {
    std::shared_ptr<trace::TracerProvider> tracer_provider;
    const trace::TailSamplingProcessor* tail_sampler = nullptr;
    bool persistent_queue = false;
    std::unique_ptr<trace::TextMapPropagator> propagator;
    std::shared_ptr<metrics::MeterProvider> meter_provider;
    std::shared_ptr<metrics::MetricReader> scrape_reader;
    std::shared_ptr<logs::LoggerProvider> logger_provider;
    std::shared_ptr<const std::atomic<std::uint64_t>> logs_emitted;
    LogStats log_stats;
    std::vector<std::unique_ptr<metrics::PeriodicExportingMetricReader>> metric_push;
};

Result<std::unique_ptr<Telemetry>> Telemetry::Create(TelemetryConfig config, const EnvLookup& env,
                                                     TelemetryTaps taps) {
    if (auto st = Validate(config); !st.ok()) return st;
    std::map<std::string, std::string> headers;
    for (const auto& [name, value] : config.headers) {
        auto expanded = ExpandHeaderValue(name, value, env);
        if (!expanded.ok()) return expanded.status();
        headers[name] = std::move(*expanded);
    }
    // The environment wins; the config fills in what it does not set.
    const auto defaults = ToOtelDefaults(config, headers);
    auto lookup = [env, defaults](std::string_view name) -> std::optional<std::string> {
        if (env) {
            if (auto v = env(name); v && !v->empty()) return v;
        }
        auto it = defaults.find(std::string(name));
        if (it == defaults.end()) return std::nullopt;
        return it->second;
    };
    // A signal is exported only when its exporter is named or an OTLP endpoint is given: a
    // process that nobody configured does not send anything to localhost:4318.
    auto asked = [&lookup](const char* exporter_var, const char* signal_endpoint_var) {
        return lookup(exporter_var) || lookup("OTEL_EXPORTER_OTLP_ENDPOINT") ||
               lookup(signal_endpoint_var);
    };
    const bool traces_asked = asked("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    const bool metrics_asked = asked("OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
    const bool logs_asked = asked("OTEL_LOGS_EXPORTER", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
    telemetry::EnvLookup otel_env = [=](std::string_view name) -> std::optional<std::string> {
        if ((name == "OTEL_TRACES_EXPORTER" && !traces_asked) ||
            (name == "OTEL_METRICS_EXPORTER" && !metrics_asked) ||
            (name == "OTEL_LOGS_EXPORTER" && !logs_asked)) {
            return std::string("none");
        }
        return lookup(name);
    };
    telemetry::SelfStats* stats =
        config.self_stats != nullptr ? config.self_stats : &telemetry::DefaultSelfStats();

    trace::ResourceOptions resource;
    std::string service_name = config.service_name;
    if (auto named = env ? env("OTEL_SERVICE_NAME") : std::nullopt; named && !named->empty()) {
        service_name = *named;
    } else {
        resource.service_name = config.service_name;
    }
    resource.service_version = config.service_version;
    resource.deployment_environment = config.environment;
    const trace::TailSamplingOptions* tail = config.tail_sampling ? &*config.tail_sampling : nullptr;
    // Every span says which service and environment it comes from (the issue's
    // robotcopy.service / robotcopy.environment), beside the same facts on the Resource.
    std::vector<trace::Attribute> span_attributes{
        {"robotcopy.service", service_name}, {"robotcopy.environment", config.environment}};
    auto sdk = telemetry::exporter::BuildTracesSdkFromEnv(otel_env, resource, stats, tail,
                                                          std::move(span_attributes),
                                                          std::move(taps.spans));
    if (!sdk.ok()) return Invalid(sdk.message());

    Parts parts;
    parts.tracer_provider = std::move(sdk.value().provider);
    parts.propagator = std::move(sdk.value().propagator);
    parts.tail_sampler = sdk.value().tail_sampler;
    parts.persistent_queue = traces_asked && otel_env("TOME_OTLP_PERSISTENT_QUEUE_DIR");

    // Metrics: one pull reader behind GET /metrics, with the same resource as the traces.
    metrics::MetricReaderOptions reader_options;
    reader_options.temporality = metrics::TemporalityPreference::kCumulative;  // Prometheus
    parts.scrape_reader = std::make_shared<metrics::MetricReader>(reader_options);
    auto shared_resource = trace::MakeResource(resource, otel_env);
    if (!shared_resource.ok()) return Invalid(shared_resource.message());
    auto resource_ptr = std::make_shared<const trace::Resource>(std::move(shared_resource.value()));
    metrics::MeterProviderOptions meter_options;
    meter_options.resource = resource_ptr;
    parts.meter_provider = std::make_shared<metrics::MeterProvider>(std::move(meter_options));
    parts.meter_provider->AddReader(parts.scrape_reader);
    if (taps.metric_reader) parts.meter_provider->AddReader(taps.metric_reader);
    // Push export (OTLP) of metrics, beside the pull reader.
    auto metric_export = telemetry::exporter::BuildMetricsExportFromEnv(otel_env, stats);
    if (!metric_export.ok()) return Invalid(metric_export.message());
    std::vector<std::string> warnings;
    for (auto& exporter : metric_export.value().exporters) {
        metrics::MetricReaderOptions push_options;
        push_options.temporality = metrics::TemporalityPreferenceFromEnv(otel_env, &warnings);
        auto push_reader = std::make_shared<metrics::MetricReader>(push_options);
        parts.meter_provider->AddReader(push_reader);
        parts.metric_push.push_back(std::make_unique<metrics::PeriodicExportingMetricReader>(
            push_reader, std::move(exporter), metric_export.value().reader));
    }

    // Logs: JSON lines on stdout at or above the level, plus OTLP, batched off the caller.
    logs::LoggerProviderOptions log_options;
    log_options.min_severity = logs::SeverityFromLevelName(config.log_level).value_or(logs::Severity::kInfo);
    log_options.resource = resource_ptr;
    auto blrp = logs::ReadBatchLogProcessorOptions(otel_env);
    if (!blrp.ok()) return Invalid(blrp.message());
    std::vector<std::unique_ptr<logs::LogProcessor>> processors;
    auto add_batch = [&](std::unique_ptr<logs::LogExporter> exporter,
                         logs::BatchLogProcessorOptions options) {
        auto p = std::make_unique<logs::BatchLogProcessor>(std::move(exporter), options);
        const logs::BatchLogProcessor* raw = p.get();  // owned by the provider, which outlives
        parts.log_stats.push_back([raw] { return raw->stats(); });  // every reader (see header)
        processors.push_back(std::move(p));
    };
    if (config.log_console) {
        logs::BatchLogProcessorOptions console = blrp.value();
        console.scheduled_delay = std::chrono::milliseconds(200);
        add_batch(std::make_unique<logs::ConsoleJsonLogExporter>(stdout), console);
    }
    auto log_export = telemetry::exporter::BuildLogsExportFromEnv(otel_env);
    if (!log_export.ok()) return Invalid(log_export.message());
    for (auto& exporter : log_export.value().exporters) add_batch(std::move(exporter), blrp.value());
    // One chain: the counter (every record reaches it exactly once), then the tap, then the
    // exporters' processors (each but the last gets its own copy).
    std::unique_ptr<logs::LogProcessor> chain;
    if (processors.size() == 1) {
        chain = std::move(processors.front());
    } else if (!processors.empty()) {
        chain = std::make_unique<detail::FanOutLogProcessor>(std::move(processors));
    }
    if (taps.logs) chain = taps.logs(std::move(chain));
    auto counting = std::make_unique<detail::CountingLogProcessor>(std::move(chain));
    parts.logs_emitted = counting->emitted();
    log_options.processors.push_back(std::move(counting));
    parts.logger_provider = logs::MakeLoggerProvider(std::move(log_options));

    return std::unique_ptr<Telemetry>(new Telemetry(std::move(config), std::move(parts)));
}

Telemetry::Telemetry(TelemetryConfig config, Parts parts)
    : config_(std::move(config)),
      stats_(config_.self_stats != nullptr ? config_.self_stats : &telemetry::DefaultSelfStats()),
      tracer_provider_(std::move(parts.tracer_provider)),
      tail_sampler_(parts.tail_sampler),
      persistent_queue_(parts.persistent_queue),
      propagator_(std::move(parts.propagator)),
      meter_provider_(std::move(parts.meter_provider)),
      scrape_reader_(std::move(parts.scrape_reader)),
      logger_provider_(std::move(parts.logger_provider)),
      logs_emitted_(std::move(parts.logs_emitted)),
      log_stats_(std::move(parts.log_stats)),
      metric_push_(std::move(parts.metric_push)) {
    // Telemetry about telemetry: a dashboard shows when spans or log records are being lost.
    auto sdk_meter = meter_provider_->GetMeter("tome.telemetry", config_.service_version);
    self_metrics_ = metrics::RegisterSelfMetrics(sdk_meter, *stats_, meter_provider_.get());
    for (auto& m : RegisterLogMetrics(sdk_meter, log_stats_)) self_metrics_.push_back(std::move(m));
    requests_ = std::make_unique<api::RequestInstrumentation>(api::RequestInstrumentationOptions{
        tracer_provider_.get(), propagator_.get(), meter_provider_.get(), config_.service_version});
    tracer_ = tracer_provider_->GetTracer(kScope, config_.service_version);
    meter_ = meter_provider_->GetMeter(kScope, config_.service_version);
    logger_ = logger_provider_->GetLogger(kScope, config_.service_version);
}

Telemetry::~Telemetry() {
    Shutdown(std::chrono::seconds(5));
    if (installed_global_) {
        if (trace::GetTracerProvider() == tracer_provider_) trace::SetTracerProvider(nullptr);
        if (metrics::GetMeterProvider() == meter_provider_) metrics::SetMeterProvider(nullptr);
        if (logs::GetLoggerProvider() == logger_provider_) logs::SetLoggerProvider(nullptr);
    }
}

void Telemetry::InstallGlobal() {
    trace::SetTracerProvider(tracer_provider_);
    metrics::SetMeterProvider(meter_provider_);
    logs::SetLoggerProvider(logger_provider_);
    installed_global_ = true;
}

trace::Span Telemetry::StartSpan(std::string_view name,
                                 std::initializer_list<trace::AttributeKV> attributes,
                                 trace::StartSpanOptions options) const noexcept {
    return tracer_.StartSpan(name, attributes, options);
}

bool Telemetry::AddEvent(std::string_view name,
                         std::initializer_list<trace::AttributeKV> attributes) noexcept {
    const trace::SpanContext& current = trace::Context::Current().span_context;
    if (!current.IsValid()) return false;
    trace::Span* target = nullptr;
    for (trace::Span* candidate : {SpanScope::CurrentSpan(), api::CurrentRequestSpan()}) {
        if (candidate != nullptr && candidate->GetContext().span_id == current.span_id) {
            target = candidate;
            break;
        }
    }
    if (target == nullptr || !target->IsRecording()) return false;
    target->AddEvent(name, attributes);
    return true;
}

std::shared_ptr<detail::MeasurementCount> Telemetry::NewMeasurementCount() {
    auto count = std::make_shared<detail::MeasurementCount>();
    std::lock_guard lock(counts_mu_);
    counts_.push_back(count);
    return count;
}

template <class T>
Result<Counter<T>> Telemetry::CreateCounter(std::string_view name, std::string_view description,
                                            std::string_view unit) {
    auto created = meter_.CreateCounter<T>(name, {.description = description, .unit = unit});
    if (!created.ok()) return InvalidArgument("counter '" + std::string(name) + "': " + created.error->message);
    return Counter<T>(std::move(created.instrument), NewMeasurementCount());
}

template <class T>
Result<Histogram<T>> Telemetry::CreateHistogram(std::string_view name, std::string_view description,
                                                std::string_view unit,
                                                std::vector<double> boundaries) {
    auto created = meter_.CreateHistogram<T>(
        name, {.description = description, .unit = unit, .histogram_boundaries = std::move(boundaries)});
    if (!created.ok()) return InvalidArgument("histogram '" + std::string(name) + "': " + created.error->message);
    return Histogram<T>(std::move(created.instrument), NewMeasurementCount());
}

template <class T>
Result<Gauge<T>> Telemetry::CreateGauge(std::string_view name, std::string_view description,
                                        std::string_view unit) {
    auto created = meter_.CreateGauge<T>(name, {.description = description, .unit = unit});
    if (!created.ok()) return InvalidArgument("gauge '" + std::string(name) + "': " + created.error->message);
    return Gauge<T>(std::move(created.instrument), NewMeasurementCount());
}

template Result<Counter<std::uint64_t>> Telemetry::CreateCounter(std::string_view, std::string_view, std::string_view);
template Result<Counter<double>> Telemetry::CreateCounter(std::string_view, std::string_view, std::string_view);
template Result<Histogram<std::uint64_t>> Telemetry::CreateHistogram(std::string_view, std::string_view, std::string_view, std::vector<double>);
template Result<Histogram<double>> Telemetry::CreateHistogram(std::string_view, std::string_view, std::string_view, std::vector<double>);
template Result<Gauge<std::int64_t>> Telemetry::CreateGauge(std::string_view, std::string_view, std::string_view);
template Result<Gauge<double>> Telemetry::CreateGauge(std::string_view, std::string_view, std::string_view);

void Telemetry::Log(logs::Severity severity, std::string_view message,
                    std::initializer_list<trace::AttributeKV> attributes) noexcept {
    if (!logger_->Enabled(severity)) return;
    const trace::Baggage& baggage = trace::Context::Current().baggage;
    if (baggage.entries().empty()) {
        logger_->Log(severity, message, attributes);
        return;
    }
    try {
        // The caller's attributes, then the business.* entries of the current baggage.
        std::vector<trace::AttributeKV> all(attributes);
        all.resize(attributes.size() + connector::kMaxBusinessAttributes,
                   trace::AttributeKV{std::string_view(), false});
        const std::size_t n = connector::BusinessAttributes(
            baggage, std::span<trace::AttributeKV>(all).subspan(attributes.size()));
        all.resize(attributes.size() + n, trace::AttributeKV{std::string_view(), false});
        logger_->Log(severity, message, all, trace::SpanContext{});
    } catch (...) {
        // Out of memory while building the record: drop it, never break the caller.
    }
}

RequestScope Telemetry::StartRequest(const RequestInfo& info) {
    api::HttpRequest request;
    request.method = info.method;
    request.path = info.path;
    request.target = info.path;
    request.headers = info.headers;
    request.client_address = info.client_address;
    request.local_port = info.server_port;
    if (!info.user_agent.empty()) request.headers["user-agent"] = info.user_agent;
    if (!info.server_address.empty()) request.headers["host"] = info.server_address;
    RequestScope scope;
    scope.request_ = requests_->Start(request, info.route, /*tracing=*/true);
    scope.request_.context().route = info.route;
    scope.current_ = std::make_unique<trace::Scope>(scope.request_.current());
    return scope;
}

void Telemetry::EndRequest(RequestScope& scope, int status, std::string_view operation,
                           std::string_view error_type) noexcept {
    if (!scope.active()) return;
    try {
        scope.request_.context().operation = std::string(operation);
    } catch (...) {
        // the metrics then say "unmatched"; telemetry never throws into the host
    }
    scope.current_.reset();  // the request's Context stops being current before its span ends
    requests_->Finish(scope.request_, status, status >= 500 ? error_type : std::string_view{});
}

RequestScope::~RequestScope() = default;

std::string RequestScope::trace_id() const {
    auto& r = const_cast<api::InstrumentedRequest&>(request_);
    return r.active() ? r.context().trace_id : std::string();
}

std::string RequestScope::span_id() const {
    auto& r = const_cast<api::InstrumentedRequest&>(request_);
    return r.active() ? r.context().span_id : std::string();
}

SpanScope::SpanScope(trace::Span& span)
    : span_(span), scope_(span.ToContext()), previous_(t_span_scope) {
    t_span_scope = this;
}

SpanScope::~SpanScope() { t_span_scope = previous_; }

trace::Span* SpanScope::CurrentSpan() noexcept {
    return t_span_scope != nullptr ? &t_span_scope->span_ : nullptr;
}

TelemetryStats Telemetry::Stats() const noexcept {
    TelemetryStats s;
    const telemetry::SelfStatsSnapshot t = stats_->Snapshot();
    s.spans_started = t.spans_started;
    s.spans_sampled = t.spans_sampled;
    s.spans_ended = t.spans_ended;
    s.spans_exported = t.spans_exported;
    s.spans_dropped_queue_full = t.dropped_queue_full;
    s.spans_dropped_export_failed = t.dropped_export_failed;
    s.spans_dropped_shutdown = t.dropped_shutdown;
    s.spans_dropped_persistent_queue_full = t.dropped_persistent_queue_full;
    s.export_failures = t.export_failures;
    s.spans_queued = t.spans_queued;
    s.persistent_queue = persistent_queue_;
    s.persistent_queue_batches = t.persistent_queue_batches;
    s.persistent_queue_spans = t.persistent_queue_spans;
    s.persistent_queue_bytes = t.persistent_queue_bytes;
    s.spans_recovered = t.persistent_queue_recovered;
    if (tail_sampler_ != nullptr) {
        const trace::TailSamplingStats tail = tail_sampler_->Stats();
        s.spans_sampled_out = tail.tail_not_sampled;
        s.spans_dropped_queue_full += tail.tail_buffer_full;
        s.spans_dropped_shutdown += tail.dropped_shutdown;
        s.spans_queued += tail.spans_held;
    }
    s.spans_dropped = s.spans_dropped_queue_full + s.spans_dropped_export_failed +
                      s.spans_dropped_shutdown + s.spans_dropped_persistent_queue_full;
    const api::RequestInstrumentationStats r = requests_->stats();
    s.requests = r.requests;
    s.metric_measurements = r.measurements;
    {
        std::lock_guard lock(counts_mu_);
        for (const auto& c : counts_) s.metric_measurements += c->value.load(std::memory_order_relaxed);
    }
    s.logs_emitted = logs_emitted_->load(std::memory_order_relaxed);
    for (const auto& p : log_stats_) {
        const auto l = p();
        s.logs_exported += l.exported;
        s.logs_dropped_queue_full += l.dropped_queue_full;
        s.logs_dropped_export_failed += l.dropped_export_failed;
        s.logs_dropped_shutdown += l.dropped_shutdown;
        s.logs_queued += l.queued;
    }
    s.logs_dropped =
        s.logs_dropped_queue_full + s.logs_dropped_export_failed + s.logs_dropped_shutdown;
    return s;
}

Json TelemetryStats::ToJson() const {
    Json j = {{"spans", {{"started", spans_started},
                       {"sampled", spans_sampled},
                       {"processed", spans_ended},
                       {"exported", spans_exported},
                       {"dropped", spans_dropped},
                       {"droppedByReason",
                        {{"queueFull", spans_dropped_queue_full},
                         {"exportFailed", spans_dropped_export_failed},
                         {"shutdown", spans_dropped_shutdown},
                         {"persistentQueueFull", spans_dropped_persistent_queue_full}}},
                       {"sampledOut", spans_sampled_out},
                       {"queued", spans_queued},
                       {"recovered", spans_recovered},
                       {"exportFailures", export_failures}}},
            {"metrics", {{"measurementsRecorded", metric_measurements}, {"requests", requests}}},
            {"logs",
             {{"emitted", logs_emitted},
              {"exported", logs_exported},
              {"dropped", logs_dropped},
              {"droppedByReason", {{"queueFull", logs_dropped_queue_full},
                                   {"exportFailed", logs_dropped_export_failed},
                                   {"shutdown", logs_dropped_shutdown}}},
              {"queued", logs_queued}}}};
    if (persistent_queue) {
        j["spans"]["persistentQueue"] = {{"batches", persistent_queue_batches},
                                         {"spans", persistent_queue_spans},
                                         {"bytes", persistent_queue_bytes},
                                         {"recovered", spans_recovered}};
    }
    return j;
}

bool Telemetry::Shutdown(std::chrono::milliseconds timeout) noexcept {
    std::lock_guard lock(shutdown_mu_);
    if (shut_down_) return shutdown_result_;
    shut_down_ = true;
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    auto left = [&deadline] {
        const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        return std::max(d, std::chrono::milliseconds(1));
    };
    bool ok = tracer_provider_->Shutdown(left());
    // Each push reader collects once more and exports before stopping.
    for (auto& reader : metric_push_) ok = reader->Shutdown(left()) && ok;
    meter_provider_->Shutdown();
    ok = logger_provider_->Shutdown(left()) && ok;
    shutdown_result_ = ok;
    return ok;
}

}  // namespace tome::facade
