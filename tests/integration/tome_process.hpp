// TomeProcess: the real `tome` binary on an ephemeral loopback port, started for a test and
// stopped by its pid. One per test; not thread-safe.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace tome::testing {

class TomeProcess {
public:
    /// Starts `tome serve --port 0` with `args` appended and `env` added to the environment
    /// (TOME_* and OTEL_* variables of the test's own environment are not passed on).
    /// Unless `env` names TOME_DATA_DIR, the process keeps its store in a fresh temporary
    /// directory, removed with the TomeProcess: each test starts from the config's network.
    /// `config`: the config file (default: the shipped config/tome.yaml).
    explicit TomeProcess(const std::vector<std::string>& args = {},
                         const std::map<std::string, std::string>& env = {},
                         const std::string& config = TOME_TEST_CONFIG)
        : own_data_dir_(env.count("TOME_DATA_DIR") == 0 ? MakeTempDir() : OwnedDir{}),
          process_(Argv(args, config), WithDataDir(env, own_data_dir_.path), {"TOME_", "OTEL_"}) {
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
    /// A directory removed when destroyed (after the process: it is declared before process_).
    struct OwnedDir {
        std::string path;
        OwnedDir() = default;
        explicit OwnedDir(std::string p) : path(std::move(p)) {}
        OwnedDir(OwnedDir&& other) noexcept : path(std::exchange(other.path, {})) {}
        OwnedDir(const OwnedDir&) = delete;
        OwnedDir& operator=(const OwnedDir&) = delete;
        ~OwnedDir() {
            std::error_code ec;
            if (!path.empty()) std::filesystem::remove_all(path, ec);
        }
    };
    static OwnedDir MakeTempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "tome-test-data-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        return OwnedDir(pattern);
    }
    static std::map<std::string, std::string> WithDataDir(std::map<std::string, std::string> env,
                                                          const std::string& dir) {
        if (!dir.empty()) env["TOME_DATA_DIR"] = dir;
        return env;
    }

    static std::vector<std::string> Argv(const std::vector<std::string>& args, const std::string& config) {
        std::vector<std::string> argv = {TOME_BINARY, "serve", "--port", "0", "--config", config};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    OwnedDir own_data_dir_;  // before process_: it is in the child's environment
    ChildProcess process_;
    unsigned short port_ = 0;
};

}  // namespace tome::testing
