#include "tome/console/console.hpp"

#include <mutex>

#include "alert_engine.hpp"
#include "http_context.hpp"
#include "ingestor.hpp"
#include "live_stream.hpp"
#ifdef TOME_CONSOLE_WITH_GRPC
#include "otlp_grpc_receiver.hpp"
#endif
#include "running_spans.hpp"
#include "sdk_tees.hpp"
#include "store.hpp"
#include "views.hpp"

namespace tome::console {

namespace metrics = telemetry::metrics;
using internal::Json;

class Console::Impl final : public api::RequestHandler {
public:
    Impl(ConsoleOptions options, const Clock& clock)
        : options_(std::move(options)),
          clock_(clock),
          store_(StoreOptionsFrom(options_)),
          reader_(std::make_shared<metrics::MetricReader>(
              metrics::MetricReaderOptions{metrics::TemporalityPreference::kCumulative})),
          live_(store_, internal::LiveOptions{}, [this] { return internal::StoreStatsJson(context_); }),
          ingestor_(store_, IngestorOptions(options_, live_), clock, reader_),
          context_{store_, ingestor_, running_, &live_, clock, options_},
          alerts_(store_, options_.alerting, clock) {
        context_.alerts = &alerts_;
        context_.started_us =
            std::chrono::duration_cast<std::chrono::microseconds>(clock.Now().time_since_epoch()).count();
    }

    api::HttpResponse Handle(const api::HttpRequest& request) noexcept override {
        try {
            const std::string_view path = request.path;
            if (path == "/v1/traces") return internal::HandleOtlp(context_, request, internal::OtlpSignal::kTraces);
            if (path == "/v1/metrics") return internal::HandleOtlp(context_, request, internal::OtlpSignal::kMetrics);
            if (path == "/v1/logs") return internal::HandleOtlp(context_, request, internal::OtlpSignal::kLogs);
            if (path.starts_with("/console/api/")) return internal::HandleConsoleApi(context_, request);
            if (path.starts_with("/jaeger/api/")) return internal::HandleJaegerApi(context_, request);
            if (path == "/api/alerts") return internal::HandleAlertsApi(context_, request);
            if (auto ui = internal::HandleUi(context_, request)) return std::move(*ui);
            return internal::ConsoleError(NotFound("no console route " + std::string(path)));
        } catch (const std::exception& e) {
            return internal::ConsoleError(Internal(std::string("console: ") + e.what()));
        } catch (...) {
            return internal::ConsoleError(Internal("console: unknown error"));
        }
    }

    static internal::StoreOptions StoreOptionsFrom(const ConsoleOptions& o) {
        internal::StoreOptions s;
        s.max_bytes = o.max_bytes;
        s.pairing_wait_ms = o.pairing_wait.count();
        return s;
    }
    static internal::IngestorOptions IngestorOptions(const ConsoleOptions& o, internal::LiveHub& live) {
        internal::IngestorOptions i;
        i.on_tick = [&live] { live.Tick(); };
        i.capacity_bytes = o.ingest_queue_bytes != 0 ? o.ingest_queue_bytes : o.max_bytes / 16;
        i.metric_interval = o.metric_interval;
        return i;
    }

    ConsoleOptions options_;
    const Clock& clock_;
    internal::Store store_;
    internal::RunningSpans running_;
    std::shared_ptr<metrics::MetricReader> reader_;
    internal::LiveHub live_;
    internal::Ingestor ingestor_;
    internal::HttpContext context_;
    internal::AlertEngine alerts_;
    std::vector<metrics::ObservableInstrument> self_metrics_;
#ifdef TOME_CONSOLE_WITH_GRPC
    internal::OtlpGrpcReceiver grpc_{ingestor_, options_.otlp_max_decompressed_bytes,
                                     options_.authorize_grpc_export};
#endif
    std::mutex lifecycle_mu_;
    std::vector<std::string> warnings_;  // guarded by lifecycle_mu_
    bool started_ = false;   // guarded by lifecycle_mu_
    bool shut_down_ = false; // guarded by lifecycle_mu_
};

Result<std::unique_ptr<Console>> Console::Create(ConsoleOptions options, const Clock& clock) {
    if (options.max_bytes < (4u << 20)) {
        return InvalidArgument("console.maxBytes must be at least 4 MiB (4194304), got " +
                               std::to_string(options.max_bytes));
    }
    if (options.metric_interval < std::chrono::milliseconds(100)) {
        return InvalidArgument("console.metricIntervalMs must be at least 100");
    }
    if (options.otlp_max_request_bytes == 0 || options.otlp_max_decompressed_bytes < options.otlp_max_request_bytes) {
        return InvalidArgument("console OTLP limits: the decompressed limit must be at least the request limit");
    }
    return std::unique_ptr<Console>(new Console(std::make_unique<Impl>(std::move(options), clock)));
}

Console::Console(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Console::~Console() { Shutdown(std::chrono::seconds(5)); }

std::unique_ptr<telemetry::trace::SpanProcessor> Console::TeeSpans(
    std::unique_ptr<telemetry::trace::SpanProcessor> next) {
    return std::make_unique<internal::SpanTee>(impl_->ingestor_,
                                               impl_->options_.track_running_spans ? &impl_->running_ : nullptr,
                                               std::move(next));
}

std::unique_ptr<telemetry::logs::LogProcessor> Console::TeeLogs(std::unique_ptr<telemetry::logs::LogProcessor> next) {
    return std::make_unique<internal::LogTee>(impl_->ingestor_, std::move(next));
}

std::shared_ptr<metrics::MetricReader> Console::metric_reader() const { return impl_->reader_; }

void Console::RegisterSelfMetrics(metrics::Meter& meter) {
    Impl* impl = impl_.get();
    auto per_signal = [impl](auto pick) {
        return [impl, pick](metrics::ObserverResult& r) {
            const internal::StoreStats s = impl->store_.Stats();
            r.Observe(static_cast<std::int64_t>(pick(s.spans)), {{"signal", "spans"}});
            r.Observe(static_cast<std::int64_t>(pick(s.logs)), {{"signal", "logs"}});
            r.Observe(static_cast<std::int64_t>(pick(s.metrics)), {{"signal", "metrics"}});
            r.Observe(static_cast<std::int64_t>(pick(s.derived)), {{"signal", "derived"}});
        };
    };
    auto add = [this](auto result) {
        if (result.ok()) impl_->self_metrics_.push_back(std::move(result.instrument));
    };
    add(meter.CreateObservableGauge<std::int64_t>(
        "tome.console.store.bytes", per_signal([](const internal::SignalStats& s) { return s.bytes; }),
        {.description = "Bytes the console's store holds, by signal", .unit = "By"}));
    add(meter.CreateObservableGauge<std::int64_t>(
        "tome.console.store.budget", per_signal([](const internal::SignalStats& s) { return s.budget_bytes; }),
        {.description = "Bytes the console's store may hold, by signal", .unit = "By"}));
    add(meter.CreateObservableCounter<std::int64_t>(
        "tome.console.ingested", per_signal([](const internal::SignalStats& s) { return s.ingested; }),
        {.description = "Items stored by the console, by signal", .unit = "{item}"}));
    add(meter.CreateObservableCounter<std::int64_t>(
        "tome.console.evicted",
        [impl](metrics::ObserverResult& r) {
            const internal::StoreStats s = impl->store_.Stats();
            r.Observe(static_cast<std::int64_t>(s.spans.evicted), {{"signal", "spans"}, {"reason", "budget"}});
            r.Observe(static_cast<std::int64_t>(s.logs.evicted), {{"signal", "logs"}, {"reason", "budget"}});
            r.Observe(static_cast<std::int64_t>(s.metrics.evicted), {{"signal", "metrics"}, {"reason", "budget"}});
        },
        {.description = "Items the console evicted to stay within its byte budget, by signal and reason",
         .unit = "{item}"}));
    add(meter.CreateObservableCounter<std::int64_t>(
        "tome.console.dropped",
        [impl](metrics::ObserverResult& r) {
            const internal::StoreStats s = impl->store_.Stats();
            const internal::IngestDrops d = impl->ingestor_.drops();
            r.Observe(static_cast<std::int64_t>(d.spans_queue_full), {{"signal", "spans"}, {"reason", "queue_full"}});
            r.Observe(static_cast<std::int64_t>(d.logs_queue_full), {{"signal", "logs"}, {"reason", "queue_full"}});
            r.Observe(static_cast<std::int64_t>(s.spans.rejected), {{"signal", "spans"}, {"reason", "invalid"}});
            r.Observe(static_cast<std::int64_t>(s.logs.rejected), {{"signal", "logs"}, {"reason", "invalid"}});
            r.Observe(static_cast<std::int64_t>(s.metrics.rejected), {{"signal", "metrics"}, {"reason", "series_limit"}});
            r.Observe(static_cast<std::int64_t>(d.otlp_requests_refused), {{"signal", "otlp"}, {"reason", "queue_full"}});
        },
        {.description = "Items the console could not store, by signal and reason", .unit = "{item}"}));
    add(meter.CreateObservableGauge<std::int64_t>(
        "tome.alerts.firing",
        [impl](metrics::ObserverResult& r) {
            for (const auto& [name, firing] : impl->alerts_.Firing()) {
                r.Observe(std::int64_t{firing ? 1 : 0}, {{"alertname", name}});
            }
        },
        {.description = "1 while the console's alert rule fires, else 0, by alert name", .unit = "{alert}"}));
}

void Console::SetNetworkView(NetworkView view) {
    std::lock_guard lock(impl_->context_.network_mu);
    impl_->context_.network = std::move(view);
}

void Console::SetExternalUrl(std::string url) { impl_->alerts_.SetExternalUrl(std::move(url)); }

bool Console::Serves(std::string_view path) noexcept {
    if (path == "/v1/traces" || path == "/v1/metrics" || path == "/v1/logs" || path == "/api/alerts") return true;
    if (path.starts_with("/console/") || path.starts_with("/jaeger/") || path.starts_with("/assets/")) return true;
    if (path == "/" || path == "/index.html" || path == "/favicon.svg" || path == "/favicon.ico") return true;
    for (std::string_view page : {"/traces", "/compare", "/logs", "/dashboards", "/running", "/alerts", "/network", "/audit"}) {
        if (path == page || (path.starts_with(page) && path.size() > page.size() && path[page.size()] == '/')) {
            return true;
        }
    }
    return false;
}

api::RequestHandler& Console::handler() noexcept { return *impl_; }

std::size_t Console::BodyLimitFor(std::string_view path) const noexcept {
    if (path == "/v1/traces" || path == "/v1/metrics" || path == "/v1/logs") return impl_->options_.otlp_max_request_bytes;
    return 0;
}

Status Console::Start() {
    std::lock_guard lock(impl_->lifecycle_mu_);
    if (impl_->shut_down_) return FailedPrecondition("the console was shut down");
    if (impl_->started_) return Status::Ok();
    impl_->started_ = true;
    impl_->ingestor_.Start();
    impl_->alerts_.Start();
#ifdef TOME_CONSOLE_WITH_GRPC
    if (impl_->options_.otlp_grpc_port != 0) {
        if (Status st = impl_->grpc_.Start(impl_->options_.otlp_grpc_address, impl_->options_.otlp_grpc_port);
            !st.ok()) {
            impl_->warnings_.push_back(st.message() + "; OTLP over HTTP (POST /v1/...) still works");
        }
    }
#else
    if (impl_->options_.otlp_grpc_port != 0) {
        impl_->warnings_.push_back("this build has no gRPC: the console takes OTLP over HTTP only (POST /v1/...)");
    }
#endif
    return Status::Ok();
}

std::vector<std::string> Console::warnings() const {
    std::lock_guard lock(impl_->lifecycle_mu_);
    return impl_->warnings_;
}

unsigned short Console::otlp_grpc_port() const noexcept {
#ifdef TOME_CONSOLE_WITH_GRPC
    return impl_->grpc_.port();
#else
    return 0;
#endif
}

bool Console::Flush(std::chrono::milliseconds timeout) { return impl_->ingestor_.Flush(timeout); }

void Console::Shutdown(std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(impl_->lifecycle_mu_);
        if (impl_->shut_down_) return;
        impl_->shut_down_ = true;
    }
#ifdef TOME_CONSOLE_WITH_GRPC
    impl_->grpc_.Shutdown(std::min(timeout, std::chrono::milliseconds(1000)));
#endif
    impl_->alerts_.Shutdown(std::min(timeout, std::chrono::milliseconds(2000)));
    impl_->ingestor_.Stop(timeout);
}

Json Console::StatsJson() const { return internal::StoreStatsJson(impl_->context_); }

}  // namespace tome::console
