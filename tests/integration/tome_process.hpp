// TomeProcess: the real `tome` binary on an ephemeral loopback port, started for a test and
// stopped by its pid. One per test; not thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace tome::testing {

class TomeProcess {
public:
    /// Starts `tome serve --port 0` with `args` appended and `env` added to the environment
    /// (TOME_* and OTEL_* variables of the test's own environment are not passed on).
    explicit TomeProcess(const std::vector<std::string>& args = {},
                         const std::map<std::string, std::string>& env = {})
        : process_(Argv(args), env, {"TOME_", "OTEL_"}) {
        static const std::regex kListening(R"(listening on http://[0-9.]+:([0-9]+))");
        auto m = process_.WaitForOutput(kListening, std::chrono::seconds(20));
        port_ = static_cast<unsigned short>(std::stoi(m[1]));
    }

    unsigned short port() const { return port_; }
    pid_t pid() const { return process_.pid(); }
    const std::string& output() const { return process_.output(); }
    void Terminate() { process_.Terminate(); }
    /// Appends what the process printed so far to output(), without waiting.
    void ReadAvailableOutput() { process_.ReadAvailableOutput(); }
    /// True while the process has not exited.
    bool Running() const { return process_.Running(); }
    /// Waits until the process printed something matching `pattern`.
    std::smatch WaitForOutput(const std::regex& pattern,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return process_.WaitForOutput(pattern, timeout);
    }
    std::optional<int> WaitForExit(std::chrono::milliseconds timeout) {
        return process_.WaitForExit(timeout);
    }
    std::optional<int> Stop(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
        return process_.Stop(timeout);
    }

private:
    static std::vector<std::string> Argv(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {TOME_BINARY, "serve", "--port", "0", "--config",
                                         TOME_TEST_CONFIG};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    ChildProcess process_;
    unsigned short port_ = 0;
};

}  // namespace tome::testing
