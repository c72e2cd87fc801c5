// main() of `tome`: `tome serve`, `tome check-config FILE`, `tome --version`.
#include <CLI/CLI.hpp>

#include <csignal>
#include <future>
#include <iostream>
#include <thread>

#include "application.hpp"
#include "config.hpp"

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
              << ":" << a.port() << " (environment " << a.config().environment << ", "
              << a.tomes().size() << " tomes, " << a.connector().ListConnections().size()
              << " connections)" << std::endl;
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

    CLI11_PARSE(cli, argc, argv);
    if (serve->parsed()) {
        if (serve_config.empty()) serve_config = tome::app::DefaultConfigPath(tome::app::ProcessEnv());
        return Serve(serve_config, port, host);
    }
    if (check->parsed()) return CheckConfig(check_path);
    return 1;
}
