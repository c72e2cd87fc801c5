#include "demo_workload.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <random>

#include "tome/telemetry/trace/context.hpp"

namespace tome::app {

namespace {

namespace trace = telemetry::trace;

constexpr std::array<std::string_view, 5> kPaymentMethods = {
    "credit_card", "debit_card", "paypal", "apple_pay", "bank_transfer"};
constexpr std::array<std::string_view, 4> kDeclineReasons = {
    "insufficient funds", "card expired", "fraud check failed", "issuer unavailable"};

// SplitMix64: decorrelates the per-order seeds (seed, index).
std::uint64_t Mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Everything random about one order, drawn up front so the sequence does not depend on timing.
struct Order {
    std::string order_id;
    std::string customer_id;
    std::string_view tier;
    double value = 0;
    std::string_view payment_method;
    std::string workflow_id;
    bool payment_declined = false;
    std::string_view decline_reason;
    std::array<std::chrono::nanoseconds, 4> step_time{};
};

Order MakeOrder(const DemoOptions& options, std::uint64_t index) {
    std::mt19937_64 rng(Mix(options.seed ^ Mix(index)));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Order o;
    char buf[40];
    std::snprintf(buf, sizeof buf, "ORD-%08llu", static_cast<unsigned long long>(index + 1));
    o.order_id = buf;
    std::snprintf(buf, sizeof buf, "CUST-%05llu",
                  static_cast<unsigned long long>(rng() % 5000 + 1));
    o.customer_id = buf;
    const double t = unit(rng);
    o.tier = t < 0.7 ? "standard" : t < 0.9 ? "gold" : "premium";
    const double multiplier = o.tier == "premium" ? 3.0 : o.tier == "gold" ? 1.8 : 1.0;
    // Log-uniform 5..800, scaled by tier: a few percent of orders are over 1000.
    const double base = 5.0 * std::exp(unit(rng) * std::log(160.0));
    o.value = std::round(base * multiplier * 100.0) / 100.0;
    o.payment_method = kPaymentMethods[rng() % kPaymentMethods.size()];
    std::snprintf(buf, sizeof buf, "wf-%016llx", static_cast<unsigned long long>(rng()));
    o.workflow_id = buf;
    o.payment_declined = unit(rng) < options.payment_failure_rate;
    o.decline_reason = kDeclineReasons[rng() % kDeclineReasons.size()];
    const auto lo = std::chrono::duration_cast<std::chrono::nanoseconds>(options.step_min);
    const auto hi = std::chrono::duration_cast<std::chrono::nanoseconds>(options.step_max);
    for (auto& d : o.step_time) {
        const double span = static_cast<double>((hi - lo).count());
        d = lo + std::chrono::nanoseconds(static_cast<std::int64_t>(unit(rng) * span));
    }
    return o;
}

std::string_view OutcomeName(int outcome) {
    switch (outcome) {
        case 0: return "completed";
        case 1: return "payment_failed";
        default: return "error";
    }
}

}  // namespace

std::optional<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>> ParseStepRange(
    std::string_view text) {
    auto number = [](std::string_view s) -> std::optional<long long> {
        long long v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 0)
            return std::nullopt;
        return v;
    };
    const auto dash = text.find('-');
    auto lo = number(text.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : number(text.substr(dash + 1));
    if (!lo || !hi || *lo > *hi) return std::nullopt;
    return std::pair{std::chrono::milliseconds(*lo), std::chrono::milliseconds(*hi)};
}

DemoWorkload::DemoWorkload(DemoStepSenderFactory senders, DemoOptions options,
                           DemoTelemetry telemetry)
    : senders_(std::move(senders)), options_(std::move(options)) {
    auto loggers = telemetry.logger_provider ? telemetry.logger_provider
                                             : telemetry::logs::GetLoggerProvider();
    log_ = loggers->GetLogger("tome.demo", "1");
    auto tracers = telemetry.tracer_provider ? telemetry.tracer_provider
                                             : trace::GetTracerProvider();
    tracer_ = tracers->GetTracer("tome.demo", "1");
    auto meters = telemetry.meter_provider ? telemetry.meter_provider
                                           : telemetry::metrics::GetMeterProvider();
    auto meter = meters->GetMeter("tome.demo", "1");
    orders_counter_ = meter
                          .CreateCounter<std::uint64_t>(
                              demo::kOrdersCounter,
                              {.description = "Orders finished, by outcome and customer tier",
                               .unit = "{order}"})
                          .instrument;
    duration_histogram_ =
        meter
            .CreateHistogram<double>(
                demo::kDurationHistogram,
                {.description = "Time from order placed to the workflow's end",
                 .unit = "s",
                 .histogram_boundaries = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3,
                                          0.5, 0.75, 1, 2.5, 5, 10}})
            .instrument;
}

DemoWorkload::~DemoWorkload() { Shutdown(); }

void DemoWorkload::Start() {
    std::lock_guard lifecycle(lifecycle_mu_);
    {
        std::lock_guard lock(mu_);
        if (started_) return;
        started_ = true;
        running_workers_ = std::max<std::size_t>(options_.workers, 1);
    }
    started_at_ = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < std::max<std::size_t>(options_.workers, 1); ++i)
        workers_.emplace_back([this] { WorkerLoop(); });
}

void DemoWorkload::RequestStop() noexcept {
    stop_.request_stop();  // wakes Pause() through the stop token
}

bool DemoWorkload::WaitUntilDone(std::optional<std::chrono::milliseconds> timeout) {
    std::unique_lock lock(mu_);
    auto done = [this] { return started_ && running_workers_ == 0; };
    if (!started_) return false;
    if (!timeout) {
        done_cv_.wait(lock, done);
        return true;
    }
    return done_cv_.wait_for(lock, *timeout, done);
}

void DemoWorkload::Shutdown() {
    RequestStop();
    std::lock_guard lifecycle(lifecycle_mu_);
    for (auto& w : workers_)
        if (w.joinable()) w.join();
    workers_.clear();
}

DemoStats DemoWorkload::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

std::vector<double> DemoWorkload::TakeDurations() {
    std::lock_guard lock(mu_);
    return std::exchange(durations_, {});
}

bool DemoWorkload::Pause(std::chrono::nanoseconds d) {
    auto token = stop_.get_token();
    if (token.stop_requested()) return false;
    if (d <= std::chrono::nanoseconds::zero()) return true;
    std::unique_lock lock(pause_mu_);
    return !pause_cv_.wait_for(lock, token, d, [] { return false; }) &&
           !token.stop_requested();
}

void DemoWorkload::WorkerLoop() {
    const auto token = stop_.get_token();
    const std::unique_ptr<DemoStepSender> sender = senders_();
    while (!token.stop_requested()) {
        const std::uint64_t index = next_index_.fetch_add(1, std::memory_order_relaxed);
        if (options_.orders != 0 && index >= options_.orders) break;
        if (options_.rate > 0) {
            const auto due = started_at_ + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::duration<double>(
                                                   static_cast<double>(index) / options_.rate));
            if (!Pause(due - std::chrono::steady_clock::now())) break;
        }
        {
            std::lock_guard lock(mu_);
            ++stats_.started;
        }
        RunOrder(index, *sender);
    }
    std::lock_guard lock(mu_);
    if (--running_workers_ == 0) done_cv_.notify_all();
}

DemoWorkload::Outcome DemoWorkload::RunOrder(std::uint64_t index, DemoStepSender& sender) {
    const Order order = MakeOrder(options_, index);
    const auto t0 = std::chrono::steady_clock::now();

    trace::StartSpanOptions root_options;
    root_options.root = true;
    trace::Span root = tracer_.StartSpan(
        demo::kRootSpan,
        {{"business.order_id", order.order_id},
         {"business.customer_id", order.customer_id},
         {"business.customer_tier", order.tier},
         {"business.order_value", order.value},
         {"business.payment_method", order.payment_method},
         {"business.workflow_id", order.workflow_id}},
        root_options);
    const trace::Context root_ctx = root.ToContext();
    trace::Scope root_scope(root_ctx);

    // `business` is what the API turns into business.* attributes and baggage downstream.
    const Json payload = {{"orderId", order.order_id},
                          {"total", order.value},
                          {"customerTier", order.tier},
                          {"customerId", order.customer_id},
                          {"business",
                           {{"order_id", order.order_id},
                            {"customer_id", order.customer_id},
                            {"order_value", order.value},
                            {"customer_tier", order.tier},
                            {"payment_method", order.payment_method},
                            {"workflow_id", order.workflow_id}}}};

    // One WARN record per failed order, emitted inside the failing step's span so it carries
    // that span's trace and span ids.
    auto warn = [&](std::string_view message, const std::string& tome, const std::string& event,
                    std::string_view reason) {
        log_->Warn(message, {{"business.order_id", order.order_id},
                             {"business.customer_id", order.customer_id},
                             {"business.customer_tier", order.tier},
                             {"business.order_value", order.value},
                             {"business.payment_method", order.payment_method},
                             {"business.workflow_id", order.workflow_id},
                             {"tome.id", tome},
                             {"tome.event", event},
                             {"error.message", reason}});
    };

    // One step: a child span around simulated work and one event sent into the network, and
    // one record in that span saying how it went (INFO done, WARN failed or declined).
    // Returns false when the event was not delivered (the step and root are marked).
    auto step = [&](std::string_view name, std::size_t n, const std::string& tome,
                    const std::string& event, bool declined, std::string_view done) {
        trace::StartSpanOptions opts;
        opts.parent = &root_ctx;
        opts.kind = sender.StepSpanKind();
        trace::Span span = tracer_.StartSpan(
            name, {{"tome.id", tome}, {"tome.event", event}, {"business.order_id", order.order_id}},
            opts);
        trace::Scope scope(span.ToContext());
        (void)Pause(order.step_time[n]);
        const Status sent = sender.Send(tome, TomeEvent{event, payload}, span);
        if (!sent.ok()) {
            const std::string why = "send " + event + " to " + tome + ": " + sent.message();
            span.SetStatus(trace::StatusCode::kError, why);
            root.SetStatus(trace::StatusCode::kError, why);
            warn("Order step failed", tome, event, why);
            return false;
        }
        if (declined) {
            const std::string why = "payment declined: " + std::string(order.decline_reason);
            span.SetAttribute("payment.decline_reason", order.decline_reason);
            span.SetStatus(trace::StatusCode::kError, why);
            root.SetStatus(trace::StatusCode::kError, why);
            warn("Payment declined", tome, event, why);
        } else {
            log_->Info(done, {{"business.order_id", order.order_id},
                              {"business.customer_id", order.customer_id},
                              {"business.customer_tier", order.tier},
                              {"business.order_value", order.value},
                              {"tome.id", tome},
                              {"tome.event", event}});
        }
        return true;
    };

    Outcome outcome = Outcome::kCompleted;
    if (!step(demo::kPlaceSpan, 0, "OrderService", "ORDER_PLACED", false, "Order placed")) {
        outcome = Outcome::kError;
    } else if (order.payment_declined) {
        outcome = step(demo::kPaymentSpan, 1, "PaymentService", "PAYMENT_FAILED", true, "")
                      ? Outcome::kPaymentFailed
                      : Outcome::kError;
    } else if (!step(demo::kPaymentSpan, 1, "PaymentService", "PAYMENT_CONFIRMED", false,
                     "Payment confirmed") ||
               !step(demo::kInventorySpan, 2, "InventoryService", "STOCK_RESERVED", false,
                     "Stock reserved") ||
               !step(demo::kNotificationSpan, 3, "NotificationService", "CUSTOMER_NOTIFIED", false,
                     "Customer notified")) {
        outcome = Outcome::kError;
    }

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    root.SetAttribute("business.outcome", OutcomeName(static_cast<int>(outcome)));
    if (outcome == Outcome::kCompleted) root.SetStatus(trace::StatusCode::kOk);
    Record(outcome, order.tier, seconds);  // inside the root span: exemplars link to it
    root.End();
    return outcome;
}

void DemoWorkload::Record(Outcome outcome, std::string_view tier, double seconds) {
    const std::string_view name = OutcomeName(static_cast<int>(outcome));
    orders_counter_.Add(1, {{"outcome", name}, {"customer_tier", tier}});
    duration_histogram_.Record(seconds, {{"outcome", name}});
    std::lock_guard lock(mu_);
    switch (outcome) {
        case Outcome::kCompleted: ++stats_.completed; break;
        case Outcome::kPaymentFailed: ++stats_.payment_failed; break;
        case Outcome::kError: ++stats_.errors; break;
    }
    durations_.push_back(seconds);
}

}  // namespace tome::app
