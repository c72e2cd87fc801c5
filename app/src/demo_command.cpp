#include "demo_command.hpp"

#include <atomic>
#include <csignal>
#include <future>
#include <iostream>
#include <thread>

#include "application.hpp"
#include "config.hpp"
#include "demo_summary.hpp"

namespace tome::app {

namespace {

// True when spans go to an OTLP endpoint (environment or the config's telemetry block).
bool OtlpEndpointConfigured(const AppConfig& config, const EnvLookup& env) {
    for (const char* name : {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}) {
        if (auto v = env(name); v && !v->empty()) return true;
        if (auto it = config.otel_defaults.find(name);
            it != config.otel_defaults.end() && !it->second.empty())
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
    const bool live_summary = !OtlpEndpointConfigured(*config, env);
    auto application = Application::Create(std::move(*config), env);
    if (!application.ok()) {
        std::cerr << "tome: " << application.status().message() << "\n";
        return 2;
    }
    Application& a = **application;

    // Arm the signal handlers before the server starts, as `tome serve` does.
    std::promise<void> armed;
    std::atomic<int> signal_number{0};
    std::thread waiter;
    DemoWorkload workload(a.connector(), options.workload);
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
    std::cout << "tome " << version << " demo on http://" << a.config().server.address << ":"
              << a.port() << " (environment " << a.config().environment << ", "
              << a.tomes().size() << " tomes; metrics at /metrics)" << std::endl;
    const auto& w = options.workload;
    std::cout << "tome: demo workload: "
              << (w.orders ? std::to_string(w.orders) + " orders" : std::string("until Ctrl-C"))
              << ", rate " << w.rate << "/s, payment failure rate " << w.payment_failure_rate
              << ", step " << w.step_min.count() << "-" << w.step_max.count() << " ms, seed "
              << w.seed << (live_summary ? "" : "; spans go to the OTLP endpoint") << std::endl;

    DemoSummary summary;
    workload.Start();
    while (!workload.WaitUntilDone(options.summary_every)) {
        if (live_summary) {
            std::cout << summary.Interval(workload.stats(), workload.TakeDurations(),
                                          telemetry::DefaultSelfStats().Snapshot())
                      << std::endl;
        }
    }
    workload.Shutdown();
    const bool by_signal = signal_number.load() != 0;
    if (by_signal) std::cout << "tome: signal " << signal_number.load() << " received" << std::endl;
    // Export everything the workload recorded before the summary counts it.
    telemetry::trace::GetTracerProvider()->ForceFlush(std::chrono::seconds(10));
    std::cout << "tome: demo done: "
              << summary.Final(workload.stats(), workload.TakeDurations(),
                               telemetry::DefaultSelfStats().Snapshot())
              << std::endl;
    // Release the signal waiter (unless a signal already did: once it returned, SIGTERM would
    // have its default action again).
    if (signal_number.load() == 0) ::raise(SIGTERM);
    waiter.join();
    const bool clean = a.Shutdown(std::chrono::seconds(10));
    std::cout << "tome: stopped" << (clean ? "" : " (some requests did not finish in time)")
              << std::endl;
    return 0;
}

}  // namespace tome::app
