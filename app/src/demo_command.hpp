// `tome demo`: runs everything `tome serve` runs (same Application, API and /metrics) plus a
// DemoWorkload whose steps are HTTP calls to that API, printing a live summary every few seconds
// until SIGINT/SIGTERM or until the requested number of orders is done, then flushes every
// signal. Called once from main(); not reentrant.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "demo_workload.hpp"

namespace tome::app {

struct DemoCommandOptions {
    std::string config_path;                ///< Required.
    std::optional<int> port;                ///< Overrides the config's port (0 = any).
    std::optional<std::string> host;        ///< Overrides the config's address.
    DemoOptions workload;                   ///< orders == 0: until a signal.
    std::chrono::milliseconds summary_every{5000};  ///< Live summary period. Default 5 s.
    /// Print the JSON log lines on stdout as `tome serve` does (logging.console). Default off:
    /// the demo's stdout is its summary; OTLP still gets every record.
    bool console_logs = false;
    /// --fault K=V pairs injected from the start (demo_faults.hpp), e.g. inventory.latency=600ms.
    std::map<std::string, std::string> faults;
};

/// Returns the process exit code: 0 after a clean run, 1 when the server cannot start, 2 for a
/// bad config.
int RunDemo(const DemoCommandOptions& options, std::string_view version);

}  // namespace tome::app
