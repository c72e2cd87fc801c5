// main() of `tome`: `tome serve`, `tome demo`, `tome check-config FILE`,
// `tome alerts export --format prometheus`, `tome --version`.
#include <CLI/CLI.hpp>

#include <csignal>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include "application.hpp"
#include "config.hpp"
#include "demo_command.hpp"
#include "tome/version.hpp"

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
    std::cout << "tome " << TOME_VERSION_STRING << " listening on "
              << (a.config().server.tls ? "https://" : "http://") << a.config().server.address
              << ":" << a.port()
              << (a.console() ? " - console: " + a.ConsoleUrl() : std::string(" - console disabled"))
              << " (environment " << a.config().environment << ", " << a.tomes().size()
              << " tomes, " << a.connector().ListConnections().size() << " connections)"
              << std::endl;
    waiter.join();
    std::cout << "tome: signal " << signal_number << " received, shutting down" << std::endl;
    // Described before anything is written: the last log lines of the shutdown go to stdout too.
    const std::string stopped = a.Shutdown(a.config().shutdown_timeout).Describe();
    std::cout << "tome: " << stopped << std::endl;
    return 0;
}

int CheckConfig(const std::string& path) {
    auto config = tome::app::LoadConfig(path, tome::app::ProcessEnv());
    if (!config.ok()) {
        std::cerr << "tome: " << config.status().message() << "\n";
        return 2;
    }
    // The config is checked, not the store: a running `tome serve` may hold it.
    config->storage.enabled = false;
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

// `tome alerts export`: the config's alert rules as a Prometheus rule file, on stdout or in
// `output` (written whole or not at all).
int ExportAlerts(const std::string& config_path, const std::string& format, const std::string& output) {
    if (format != "prometheus") {
        std::cerr << "tome: alerts export: unknown --format '" << format << "' (expected prometheus)\n";
        return 2;
    }
    auto config = tome::app::LoadConfig(config_path, tome::app::ProcessEnv());
    if (!config.ok()) {
        std::cerr << "tome: " << config.status().message() << "\n";
        return 2;
    }
    const std::string text = tome::console::ExportPrometheusRules(config->console.alerting.rules);
    if (output.empty() || output == "-") {
        std::cout << text;
        return std::cout.good() ? 0 : 1;
    }
    const std::string temp = output + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.good()) {
            std::cerr << "tome: alerts export: cannot write " << temp << "\n";
            return 1;
        }
    }
    if (std::rename(temp.c_str(), output.c_str()) != 0) {
        std::cerr << "tome: alerts export: cannot replace " << output << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"tome: a network of state machines, observable with OpenTelemetry"};
    cli.set_version_flag("--version", std::string("tome ") + TOME_VERSION_STRING);
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
                     "Probability a payment is declined (default 0.002: the shipped alerts stay quiet)")
        ->check(CLI::Range(0.0, 1.0));
    demo->add_option("--step-ms", demo_steps, "Simulated work per step, MIN-MAX ms (default 5-50)");
    demo->add_option("--seed", demo_options.workload.seed, "Random seed (default 1)");
    demo->add_option("--workers", demo_options.workload.workers, "Worker threads (default 4)")
        ->check(CLI::Range(1, 256));
    std::vector<std::string> demo_faults;
    demo->add_option("--fault", demo_faults,
                     "Inject a fault, STEP.KIND=VALUE (repeatable): inventory.latency=600ms, "
                     "payment.failure_rate=0.05, analytics.down=true; steps order, payment, "
                     "inventory, notification, analytics. At run time: PUT /api/demo/faults");
    demo->add_flag("--console-logs", demo_options.console_logs,
                   "Also print the JSON log lines on stdout (off by default so the summary "
                   "stays readable; OTLP gets every record either way)");

    auto* alerts = cli.add_subcommand("alerts", "Alert rules");
    alerts->require_subcommand(1);
    auto* alerts_export = alerts->add_subcommand(
        "export", "Write the config's alert rules as a Prometheus rule file (over /metrics names)");
    std::string alerts_config, alerts_format = "prometheus", alerts_output;
    alerts_export->add_option("--config", alerts_config,
                              "YAML config file (default: $TOME_CONFIG or config/tome.yaml)");
    alerts_export->add_option("--format", alerts_format, "Output format (prometheus)");
    alerts_export->add_option("--output,-o", alerts_output, "File to write (default: stdout)");

    CLI11_PARSE(cli, argc, argv);
    if (alerts_export->parsed()) {
        if (alerts_config.empty()) alerts_config = tome::app::DefaultConfigPath(tome::app::ProcessEnv());
        return ExportAlerts(alerts_config, alerts_format, alerts_output);
    }
    if (demo->parsed()) {
        auto steps = tome::app::ParseStepRange(demo_steps);
        if (!steps) {
            std::cerr << "tome: --step-ms: expected MIN-MAX milliseconds, got '" << demo_steps
                      << "'\n";
            return 2;
        }
        demo_options.workload.step_min = steps->first;
        demo_options.workload.step_max = steps->second;
        for (const auto& pair : demo_faults) {
            const auto eq = pair.find('=');
            if (eq == std::string::npos || eq == 0) {
                std::cerr << "tome: --fault: expected STEP.KIND=VALUE (e.g. inventory.latency=600ms), got '"
                          << pair << "'\n";
                return 2;
            }
            demo_options.faults[pair.substr(0, eq)] = pair.substr(eq + 1);
        }
        if (demo_options.config_path.empty())
            demo_options.config_path = tome::app::DefaultConfigPath(tome::app::ProcessEnv());
        return tome::app::RunDemo(demo_options, TOME_VERSION_STRING);
    }
    if (serve->parsed()) {
        if (serve_config.empty()) serve_config = tome::app::DefaultConfigPath(tome::app::ProcessEnv());
        return Serve(serve_config, port, host);
    }
    if (check->parsed()) return CheckConfig(check_path);
    return 1;
}
