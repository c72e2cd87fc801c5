// DemoWorkload: the steady order workflow behind `tome demo`. Worker threads place orders on
// the demo network (OrderService -> PaymentService -> InventoryService -> NotificationService,
// AnalyticsService observing), each step through a DemoStepSender (in process, or over the
// HTTP API in `tome demo`). Each order is one trace: a root span `order.workflow` carrying the
// business attributes, with one child span per step (`order.place`, `payment.process`,
// `inventory.reserve`, `notification.send`). A declined payment or a failed step marks the step
// and the root ERROR and emits one WARN log record inside the step span. Records the `orders`
// counter (by outcome and customer tier), the `order.duration` histogram (s) and the
// `order.step.duration` histogram (s, by step and tome). Faults (demo_faults.hpp) add latency
// or failures to a step while they are set.
//
// Thread-safety: every public method may be called concurrently from any thread. Start() runs
// at most once; Shutdown() is idempotent and also runs in the destructor. Each order's random
// choices come from its own generator seeded by (seed, order index), so a seed gives the same
// orders whichever worker runs them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "demo_faults.hpp"
#include "demo_step_sender.hpp"
#include "tome/connector/connector.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::app {

struct DemoOptions {
    /// Orders to run before the workload finishes on its own; 0 runs until Shutdown.
    std::uint64_t orders = 0;
    /// Orders started per second over all workers; <= 0 runs them back to back. Default 10.
    double rate = 10.0;
    /// Probability in [0, 1] that a payment is declined. Default 0.002: under the shipped
    /// PaymentFailureRateHigh threshold (1 %), so the demo's alerts stay quiet until a fault.
    double payment_failure_rate = 0.002;
    /// Simulated work per step: uniform in [step_min, step_max]. Default 5-50 ms.
    std::chrono::milliseconds step_min{5};
    std::chrono::milliseconds step_max{50};
    /// Seeds every order's generator. Default 1.
    std::uint64_t seed = 1;
    /// Worker threads. Default 4; at least 1 is used.
    std::size_t workers = 4;
    /// Faults injected into the steps (borrowed; must outlive the workload). None when null.
    const DemoFaults* faults = nullptr;
};

/// Where the workload's telemetry goes. Null members use the global providers.
struct DemoTelemetry {
    std::shared_ptr<telemetry::trace::TracerProvider> tracer_provider;
    std::shared_ptr<telemetry::metrics::MeterProvider> meter_provider;
    std::shared_ptr<telemetry::logs::LoggerProvider> logger_provider;
};

/// Counts of orders so far (plain data).
struct DemoStats {
    std::uint64_t started = 0;
    std::uint64_t completed = 0;       ///< Went through every step.
    std::uint64_t payment_failed = 0;  ///< Declined payment; the order stopped there.
    std::uint64_t errors = 0;          ///< A step was not delivered (rejected or unreachable).
    std::uint64_t finished() const { return completed + payment_failed + errors; }
    std::uint64_t failed() const { return payment_failed + errors; }
};

/// The workload's names, shared with tests and the summary.
namespace demo {
inline constexpr std::string_view kRootSpan = "order.workflow";
inline constexpr std::string_view kPlaceSpan = "order.place";
inline constexpr std::string_view kPaymentSpan = "payment.process";
inline constexpr std::string_view kInventorySpan = "inventory.reserve";
inline constexpr std::string_view kNotificationSpan = "notification.send";
inline constexpr std::string_view kOrdersCounter = "orders";
inline constexpr std::string_view kDurationHistogram = "order.duration";
inline constexpr std::string_view kStepDurationHistogram = "order.step.duration";
}  // namespace demo

/// Parses "MIN-MAX" or "N" (milliseconds, MIN <= MAX); nullopt when malformed.
std::optional<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>> ParseStepRange(
    std::string_view text);

class DemoWorkload {
public:
    /// Sends the steps with one sender per worker from `senders`, which must return non-null
    /// and stay callable until Shutdown() returns.
    DemoWorkload(DemoStepSenderFactory senders, DemoOptions options,
                 DemoTelemetry telemetry = {});
    /// In process: ConnectorStepSenders(connector). Borrows `connector`, which must outlive
    /// the workload and hold the demo network.
    DemoWorkload(connector::Connector& connector, DemoOptions options,
                 DemoTelemetry telemetry = {})
        : DemoWorkload(ConnectorStepSenders(connector), std::move(options),
                       std::move(telemetry)) {}
    /// Shutdown().
    ~DemoWorkload();
    DemoWorkload(const DemoWorkload&) = delete;
    DemoWorkload& operator=(const DemoWorkload&) = delete;

    /// Starts the workers. Later calls do nothing.
    void Start();
    /// Asks the workers to stop after their current order (whose remaining steps run without
    /// simulated work, so every trace is complete). Does not block; safe from any thread.
    void RequestStop() noexcept;
    /// Blocks until every worker has exited (all orders done, or stopped), or `timeout`
    /// passes. True when they have. False at once when Start() has not been called.
    bool WaitUntilDone(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
    /// RequestStop(), then joins the workers. Idempotent.
    void Shutdown();

    DemoStats stats() const;
    /// The order durations (seconds) finished since the previous call, in finishing order.
    std::vector<double> TakeDurations();
    const DemoOptions& options() const { return options_; }

private:
    enum class Outcome { kCompleted, kPaymentFailed, kError };
    void WorkerLoop();
    Outcome RunOrder(std::uint64_t index, DemoStepSender& sender);
    // Sleeps `d` unless a stop is requested; false when stopped.
    bool Pause(std::chrono::nanoseconds d);
    void Record(Outcome outcome, std::string_view tier, double seconds);

    const DemoStepSenderFactory senders_;
    const DemoOptions options_;
    telemetry::trace::Tracer tracer_;
    std::shared_ptr<telemetry::logs::Logger> log_;
    telemetry::metrics::Counter<std::uint64_t> orders_counter_;
    telemetry::metrics::Histogram<double> duration_histogram_;
    telemetry::metrics::Histogram<double> step_histogram_;

    std::stop_source stop_;
    std::chrono::steady_clock::time_point started_at_;  // written once by Start()
    std::atomic<std::uint64_t> next_index_{0};
    std::mutex pause_mu_;  // only for pause_cv_
    std::condition_variable_any pause_cv_;

    mutable std::mutex mu_;  // guards the members below
    std::condition_variable done_cv_;
    bool started_ = false;
    std::size_t running_workers_ = 0;
    DemoStats stats_;
    std::vector<double> durations_;  // since the last TakeDurations()

    std::mutex lifecycle_mu_;  // serialises Start and Shutdown; guards workers_
    std::vector<std::jthread> workers_;  // declared last: joined before the rest is destroyed
};

}  // namespace tome::app
