#include "tome/telemetry/metrics/periodic_reader.hpp"

#include <charconv>
#include <pthread.h>

namespace tome::telemetry::metrics {
namespace {

std::chrono::milliseconds ReadMillis(const EnvLookup& env, std::string_view name,
                                     std::chrono::milliseconds fallback, bool allow_zero,
                                     std::vector<std::string>* warnings) {
    auto v = GetNonEmpty(env, name);
    if (!v) return fallback;
    long long ms = 0;
    const char* end = v->data() + v->size();
    auto [ptr, ec] = std::from_chars(v->data(), end, ms);
    if (ec != std::errc() || ptr != end || ms < 0 || (ms == 0 && !allow_zero)) {
        if (warnings)
            warnings->push_back(std::string(name) + ": invalid value '" + *v +
                                "' ignored (default " + std::to_string(fallback.count()) +
                                " ms used)");
        return fallback;
    }
    return std::chrono::milliseconds(ms);
}

}  // namespace

PeriodicReaderOptions PeriodicReaderOptionsFromEnv(const EnvLookup& env,
                                                   std::vector<std::string>* warnings) {
    PeriodicReaderOptions o;
    o.interval = ReadMillis(env, "OTEL_METRIC_EXPORT_INTERVAL", o.interval, false, warnings);
    o.timeout = ReadMillis(env, "OTEL_METRIC_EXPORT_TIMEOUT", o.timeout, true, warnings);
    return o;
}

PeriodicExportingMetricReader::PeriodicExportingMetricReader(
    std::shared_ptr<MetricReader> reader, std::unique_ptr<MetricExporter> exporter,
    PeriodicReaderOptions options)
    : options_(options), reader_(std::move(reader)), exporter_(std::move(exporter)) {
    worker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-metrics");
        Run();
    });
}

PeriodicExportingMetricReader::~PeriodicExportingMetricReader() {
    Shutdown(std::chrono::seconds(5));
}

void PeriodicExportingMetricReader::Run() noexcept {
    std::unique_lock lock(mu_);
    while (!stop_) {
        // The predicate is checked under the lock before waiting: no lost wake-up.
        if (cv_.wait_for(lock, options_.interval, [this] { return stop_; })) break;
        lock.unlock();
        const auto deadline = options_.timeout.count() == 0 ? Clock::time_point::max()
                                                            : Clock::now() + options_.timeout;
        CollectAndExport(deadline);
        lock.lock();
    }
    worker_done_ = true;
    cv_.notify_all();
}

bool PeriodicExportingMetricReader::CollectAndExport(Clock::time_point deadline) noexcept {
    if (!reader_ || !exporter_) return false;
    {
        std::unique_lock lock(export_mu_);
        auto idle = [this] { return !exporting_; };
        if (deadline == Clock::time_point::max()) {
            export_cv_.wait(lock, idle);
        } else if (!export_cv_.wait_until(lock, deadline, idle)) {
            return false;
        }
        exporting_ = true;
    }
    const MetricsData data = reader_->Collect();
    const bool ok = exporter_->Export(data, deadline) == ExportResult::kSuccess;
    {
        std::lock_guard lock(export_mu_);
        exporting_ = false;
    }
    export_cv_.notify_all();
    return ok;
}

bool PeriodicExportingMetricReader::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    {
        std::lock_guard lock(mu_);
        if (shutdown_called_) return false;
    }
    const auto deadline = Clock::now() + timeout;
    if (!CollectAndExport(deadline)) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return exporter_->ForceFlush(std::max(left, std::chrono::milliseconds(0)));
}

bool PeriodicExportingMetricReader::Shutdown(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = Clock::now() + timeout;
    {
        std::unique_lock lock(mu_);
        if (shutdown_called_) {
            // A concurrent or earlier Shutdown: report its result once it is known.
            cv_.wait_until(lock, deadline, [this] { return shutdown_done_; });
            return shutdown_result_;
        }
        shutdown_called_ = true;
        stop_ = true;
        cv_.notify_all();
        // Wait (bounded) for a running export to end; if it does not, abort it through the
        // exporter, whose Shutdown makes a running Export return promptly.
        if (!cv_.wait_until(lock, deadline, [this] { return worker_done_; })) {
            lock.unlock();
            exporter_->Shutdown(std::chrono::milliseconds(0));
            lock.lock();
            cv_.wait(lock, [this] { return worker_done_; });
        }
    }
    if (worker_.joinable()) worker_.join();
    bool ok = CollectAndExport(deadline);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    ok = exporter_->Shutdown(std::max(left, std::chrono::milliseconds(0))) && ok;
    std::lock_guard lock(mu_);
    shutdown_result_ = ok;
    shutdown_done_ = true;
    cv_.notify_all();
    return ok;
}

bool InMemoryMetricExporter::Store::WaitForExports(std::size_t n,
                                                   std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return exports.size() >= n; });
}

std::size_t InMemoryMetricExporter::Store::size() {
    std::lock_guard lock(mu);
    return exports.size();
}

ExportResult InMemoryMetricExporter::Export(const MetricsData& data,
                                            Clock::time_point /*deadline*/) noexcept {
    try {
        std::lock_guard lock(store_->mu);
        if (shut_down_) return ExportResult::kFailureNonRetryable;
        if (store_->result != ExportResult::kSuccess) return store_->result;
        store_->exports.push_back(data);
        store_->cv.notify_all();
        return ExportResult::kSuccess;
    } catch (...) {
        return ExportResult::kFailureRetryable;
    }
}

bool InMemoryMetricExporter::Shutdown(std::chrono::milliseconds /*timeout*/) noexcept {
    std::lock_guard lock(store_->mu);
    if (!shut_down_) ++store_->shutdowns;
    shut_down_ = true;
    return true;
}

}  // namespace tome::telemetry::metrics
