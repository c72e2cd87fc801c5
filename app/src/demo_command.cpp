#include "demo_command.hpp"

#include <atomic>
#include <csignal>
#include <future>
#include <iostream>
#include <thread>

#include "application.hpp"
#include "config.hpp"
#include "demo_http_step_sender.hpp"
#include "demo_summary.hpp"
#include "tome/telemetry/logs/logger.hpp"

namespace tome::app {

namespace {

// Bound on each telemetry flush before the final summary.
constexpr std::chrono::seconds kFlushTimeout{10};
// API calls of one order that succeeds: placed, payment, stock, notification.
constexpr double kApiCallsPerOrder = 4;

// True when spans go to an OTLP endpoint (environment or the config's telemetry block).
bool OtlpEndpointConfigured(const AppConfig& config, const EnvLookup& env) {
    if (!config.telemetry.endpoint.empty()) return true;
    for (const char* name : {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}) {
        if (auto v = env(name); v && !v->empty()) return true;
        if (auto it = config.telemetry.otel.find(name);
            it != config.telemetry.otel.end() && !it->second.empty())
            return true;
    }
    return false;
}

}  // namespace

int RunDemo(const DemoCommandOptions& options, std::string_view version) {
    const EnvLookup env = ProcessEnv();
    auto config = LoadConfig(options.config_path, env);
    if (!config.ok()) {
        std::cerr << "tome: " << config.status().message() << "\n";
        return 2;
    }
    if (options.port) config->server.port = static_cast<unsigned short>(*options.port);
    if (options.host) config->server.address = *options.host;
    if (!options.console_logs) config->logging.console = false;
    // The demo builds its own network each run and keeps nothing: it never opens the store (a
    // `tome serve` of the same config may be holding it).
    config->storage.enabled = false;
    const bool exporting = OtlpEndpointConfigured(*config, env);
    auto application = Application::Create(std::move(*config), env);
    if (!application.ok()) {
        std::cerr << "tome: " << application.status().message() << "\n";
        return 2;
    }
    Application& a = **application;

    // Faults on purpose (demo_faults.hpp): `down` takes a tome out of the registry (its
    // connections turn unhealthy) and puts the same tome back when cleared.
    DemoFaults faults;
    std::map<std::string, std::shared_ptr<Tome>> removed;  // guarded by faults' own lock
    faults.OnDownChange([&a, &removed](const std::string& id, bool down) -> Status {
        if (down) {
            auto tome = a.tomes().Find(id);
            if (!tome) return NotFound("tome '" + id + "' is not in this process");
            removed[id] = tome;
            return a.tomes().Remove(id);
        }
        auto it = removed.find(id);
        if (it == removed.end()) return Status::Ok();
        Status st = a.tomes().Add(it->second);
        removed.erase(it);
        return st;
    });
    if (auto st = faults.Set(options.faults, false); !st.ok()) {
        std::cerr << "tome: --fault: " << st.message() << "\n";
        return 2;
    }
    a.proxy().AddRoute("GET", "/api/demo/faults", "demo_faults",
                       [&faults](api::Call&) -> Result<api::Reply> { return api::Reply{200, faults.ToJson()}; });
    a.proxy().AddRoute("PUT", "/api/demo/faults", "demo_faults", [&faults](api::Call& call) -> Result<api::Reply> {
        if (call.body == nullptr) {
            return InvalidArgument("the body must be a JSON object of fault pairs, e.g. {\"inventory.latency\": \"600ms\"}; {} clears them");
        }
        if (Status st = faults.SetJson(*call.body); !st.ok()) return st;
        return api::Reply{200, faults.ToJson()};
    });
    DemoOptions workload_options = options.workload;
    workload_options.faults = &faults;

    // Arm the signal handlers before the server starts, as `tome serve` does.
    std::promise<void> armed;
    std::atomic<int> signal_number{0};
    std::thread waiter;
    // Every step goes through the process's own HTTP API. The senders are made when the
    // workers start, after the server is listening and `http_senders` is set.
    DemoStepSenderFactory http_senders;
    DemoWorkload workload([&http_senders] { return http_senders(); }, workload_options);
    waiter = std::thread([&] {
        signal_number = server::WaitForTerminationSignal([&] { armed.set_value(); });
        workload.RequestStop();
    });
    armed.get_future().wait();
    if (auto st = a.Start(); !st.ok()) {
        std::cerr << "tome: " << st.message() << "\n";
        ::raise(SIGTERM);
        waiter.join();
        return 1;
    }
    http_senders = HttpStepSenders({.host = LoopbackFor(a.config().server.address),
                                    .port = a.port(),
                                    .timeout = kDemoStepTimeout,
                                    // The app's own propagator: the one the API extracts with.
                                    .propagator = a.telemetry().propagator()});
    std::cout << "tome " << version << " demo on http://" << a.config().server.address << ":"
              << a.port()
              << (a.console() ? " - open the console: " + a.ConsoleUrl() : std::string(" - console disabled"))
              << " (environment " << a.config().environment << ", " << a.tomes().size()
              << " tomes; metrics at /metrics)" << std::endl;
    const auto& w = options.workload;
    std::cout << "tome: demo workload: "
              << (w.orders ? std::to_string(w.orders) + " orders" : std::string("until Ctrl-C"))
              << ", rate " << w.rate << "/s, payment failure rate " << w.payment_failure_rate
              << ", step " << w.step_min.count() << "-" << w.step_max.count() << " ms, seed "
              << w.seed << (exporting ? "; telemetry goes to the OTLP endpoint"
                           : "; no OTLP endpoint, so nothing is exported")
              << (options.console_logs ? "" : "; JSON logs: --console-logs")
              << std::endl;
    if (auto injected = faults.ToJson(); !injected.empty()) {
        std::cout << "tome: faults injected: " << injected.dump() << " (change them with PUT /api/demo/faults)"
                  << std::endl;
    }
    // The steps come from one loopback client, so a rate limit counts all of them together.
    const auto& limit = a.config().proxy.rate_limit;
    const double calls_per_window = w.rate * kApiCallsPerOrder *
                                    std::chrono::duration<double>(limit.window).count();
    if (limit.enabled && w.rate > 0 && calls_per_window > static_cast<double>(limit.max_requests)) {
        std::cout << "tome: warning: the demo makes about " << static_cast<long long>(calls_per_window)
                  << " API calls per rate-limit window, over rateLimit.maxRequests "
                  << limit.max_requests << "; steps past it are answered 429 and their orders "
                  << "fail (lower --rate or raise rateLimit.maxRequests)" << std::endl;
    }

    DemoSummary summary;
    workload.Start();
    while (!workload.WaitUntilDone(options.summary_every)) {
        std::cout << summary.Interval(workload.stats(), workload.TakeDurations(),
                                      a.telemetry().Stats())
                  << std::endl;
    }
    workload.Shutdown();
    summary.MarkDone();
    const bool by_signal = signal_number.load() != 0;
    if (by_signal) std::cout << "tome: signal " << signal_number.load() << " received" << std::endl;
    // Export the workload's spans and logs before the summary counts them; Application's
    // Shutdown below exports what the server records last and the final metrics.
    a.telemetry().tracer_provider()->ForceFlush(kFlushTimeout);
    a.telemetry().logger_provider().ForceFlush(kFlushTimeout);
    std::cout << "tome: demo done: "
              << summary.Final(workload.stats(), workload.TakeDurations(),
                               a.telemetry().Stats())
              << std::endl;
    // Release the signal waiter (unless a signal already did: once it returned, SIGTERM would
    // have its default action again).
    if (signal_number.load() == 0) ::raise(SIGTERM);
    waiter.join();
    // Described before anything is written: the last log lines of the shutdown go to stdout too.
    const std::string stopped = a.Shutdown(a.config().shutdown_timeout).Describe();
    std::cout << "tome: " << stopped << std::endl;
    return 0;
}

}  // namespace tome::app
