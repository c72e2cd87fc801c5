// main() of `tome`: `tome serve`, `tome demo`, `tome check-config FILE`, `tome --version`.
#include <CLI/CLI.hpp>

#include <csignal>
#include <future>
#include <iostream>
#include <thread>

#include "application.hpp"
#include "config.hpp"
#include "demo_command.hpp"

#ifndef TOME_VERSION
#define TOME_VERSION "0.0.0"
#endif

namespace {

int Serve(const std::string& config_path, std::optional<int> port, std::optional<std::string> host) {
    using namespace tome;
    auto config = app::LoadConfig(config_path, app::ProcessEnv());
    if (!config.ok()) {
        std::cerr << "tome: " << config.status().message() << "\n";
        return 2;
    }
    if (port) config->server.port = static_cast<unsigned short>(*port);
    if (host) config->server.address = *host;
    auto application = app::Application::Create(std::move(*config), app::ProcessEnv());
    if (!application.ok()) {
        std::cerr << "tome: " << application.status().message() << "\n";
        return 2;
    }
    app::Application& a = **application;

    // Arm the signal handlers before the server starts, so an early SIGTERM is never lost.
    std::promise<void> armed;
    int signal_number = 0;
    std::thread waiter([&] {
        signal_number = server::WaitForTerminationSignal([&] { armed.set_value(); });
    });
    armed.get_future().wait();
    if (auto st = a.Start(); !st.ok()) {
        std::cerr << "tome: " << st.message() << "\n";
        ::raise(SIGTERM);
        waiter.join();
        return 1;
    }
    std::cout << "tome " << TOME_VERSION << " listening on http://" << a.config().server.address
              << ":" << a.port()
              << (a.console() ? " - console: " + a.ConsoleUrl() : std::string(" - console disabled"))
              << " (environment " << a.config().environment << ", " << a.tomes().size()
              << " tomes, " << a.connector().ListConnections().size() << " connections)"
              << std::endl;
    waiter.join();
    std::cout << "tome: signal " << signal_number << " received, shutting down" << std::endl;
    const bool clean = a.Shutdown(std::chrono::seconds(10));
    std::cout << "tome: stopped" << (clean ? "" : " (some requests did not finish in time)")
              << std::endl;
    return 0;
}

int CheckConfig(const std::string& path) {
    auto config = tome::app::LoadConfig(path, tome::app::ProcessEnv());
    if (!config.ok()) {
        std::cerr << "tome: " << config.status().message() << "\n";
        return 2;
    }
    auto application = tome::app::Application::Create(std::move(*config), tome::app::ProcessEnv());
    if (!application.ok()) {
        std::cerr << "tome: " << application.status().message() << "\n";
        return 2;
    }
    const auto& c = (*application)->config();
    std::cout << path << ": OK (environment " << c.environment << ", " << c.tomes.size()
              << " tomes, " << c.connections.size() << " connections)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"tome: a network of state machines, observable with OpenTelemetry"};
    cli.set_version_flag("--version", std::string("tome ") + TOME_VERSION);
    cli.require_subcommand(1);

    auto* serve = cli.add_subcommand("serve", "Run the HTTP API server with the configured network");
    std::string serve_config;
    std::optional<int> port;
    std::optional<std::string> host;
    serve->add_option("--config", serve_config, "YAML config file (default: $TOME_CONFIG or config/tome.yaml)");
    serve->add_option("--port", port, "Port to listen on (0 = any free port)")->check(CLI::Range(0, 65535));
    serve->add_option("--host", host, "Address to listen on");

    auto* check = cli.add_subcommand("check-config", "Validate a config file and exit");
    std::string check_path;
    check->add_option("file", check_path, "YAML config file")->required();

    auto* demo = cli.add_subcommand(
        "demo", "Serve the configured network and run a steady, traced order workload on it");
    tome::app::DemoCommandOptions demo_options;
    std::string demo_steps = "5-50";
    demo->add_option("--config", demo_options.config_path,
                     "YAML config file (default: $TOME_CONFIG or config/tome.yaml)");
    demo->add_option("--port", demo_options.port, "Port to listen on (0 = any free port)")
        ->check(CLI::Range(0, 65535));
    demo->add_option("--host", demo_options.host, "Address to listen on");
    demo->add_option("--orders", demo_options.workload.orders,
                     "Stop after this many orders (default 0: until Ctrl-C)");
    demo->add_option("--rate", demo_options.workload.rate,
                     "Orders started per second (0 = as fast as possible; default 10)")
        ->check(CLI::NonNegativeNumber);
    demo->add_option("--payment-failure-rate", demo_options.workload.payment_failure_rate,
                     "Probability a payment is declined (default 0.1)")
        ->check(CLI::Range(0.0, 1.0));
    demo->add_option("--step-ms", demo_steps, "Simulated work per step, MIN-MAX ms (default 5-50)");
    demo->add_option("--seed", demo_options.workload.seed, "Random seed (default 1)");
    demo->add_option("--workers", demo_options.workload.workers, "Worker threads (default 4)")
        ->check(CLI::Range(1, 256));
    demo->add_flag("--console-logs", demo_options.console_logs,
                   "Also print the JSON log lines on stdout (off by default so the summary "
                   "stays readable; OTLP gets every record either way)");

    CLI11_PARSE(cli, argc, argv);
    if (demo->parsed()) {
        auto steps = tome::app::ParseStepRange(demo_steps);
        if (!steps) {
            std::cerr << "tome: --step-ms: expected MIN-MAX milliseconds, got '" << demo_steps
                      << "'\n";
            return 2;
        }
        demo_options.workload.step_min = steps->first;
        demo_options.workload.step_max = steps->second;
        if (demo_options.config_path.empty())
            demo_options.config_path = tome::app::DefaultConfigPath(tome::app::ProcessEnv());
        return tome::app::RunDemo(demo_options, TOME_VERSION);
    }
    if (serve->parsed()) {
        if (serve_config.empty()) serve_config = tome::app::DefaultConfigPath(tome::app::ProcessEnv());
        return Serve(serve_config, port, host);
    }
    if (check->parsed()) return CheckConfig(check_path);
    return 1;
}
