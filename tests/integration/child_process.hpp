// ChildProcess: starts a program for a test, captures what it prints, waits for a line, and
// stops it by its pid. One per test; not thread-safe.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tome::testing {

class ChildProcess {
public:
    /// Starts argv[0] with the parent's environment, minus variables starting with one of
    /// `drop_prefixes`, plus `env`.
    ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                 const std::vector<std::string>& drop_prefixes = {}) {
        std::vector<std::string> env_s;
        for (char** e = environ; *e; ++e) {
            std::string kv(*e);
            const auto key = kv.substr(0, kv.find('='));
            bool drop = env.count(key) > 0;
            for (const auto& p : drop_prefixes) drop |= key.rfind(p, 0) == 0;
            if (!drop) env_s.push_back(kv);
        }
        for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
        Spawn(argv, env_s);
    }

    ~ChildProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_fd_ >= 0) ::close(out_fd_);
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& output() const { return output_; }

    /// Reads output until `pattern` matches (returning the match) or `timeout` passes.
    std::smatch WaitForOutput(const std::regex& pattern, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            std::smatch m;
            if (std::regex_search(output_, m, pattern)) return m;
            if (!DrainOutput(std::chrono::milliseconds(200))) break;
        }
        throw std::runtime_error("expected output did not appear; output so far:\n" + output_);
    }

    void Terminate() { ::kill(pid_, SIGTERM); }

    /// Appends what the process printed so far, without waiting (keeps its stdout pipe from
    /// filling up during a long test).
    void ReadAvailableOutput() {
        while (out_fd_ >= 0) {
            pollfd p{out_fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) return;
            if (!DrainOutput(std::chrono::milliseconds(0))) return;
        }
    }

    /// True while the process has not exited (it may be a zombie not yet waited for).
    bool Running() const {
        if (pid_ <= 0) return false;
        siginfo_t info{};
        return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == 0;
    }

    /// Waits for exit (up to `timeout`); the exit code, or nullopt when it did not exit in time
    /// (then it is killed) or died from a signal.
    std::optional<int> WaitForExit(std::chrono::milliseconds timeout) {
        auto fut = std::async(std::launch::async, [pid = pid_] {
            int status = 0;
            ::waitpid(pid, &status, 0);
            return status;
        });
        // Keep reading while waiting: a child blocked on a full stdout pipe (its logs flushed at
        // shutdown) would otherwise never exit.
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fut.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready &&
               std::chrono::steady_clock::now() < deadline && out_fd_ >= 0 &&
               DrainOutput(std::chrono::milliseconds(20))) {
        }
        if (fut.wait_until(deadline) != std::future_status::ready) {
            ::kill(pid_, SIGKILL);
            fut.wait();
            pid_ = -1;
            return std::nullopt;
        }
        const int status = fut.get();
        pid_ = -1;
        while (DrainOutput(std::chrono::milliseconds(0)) && out_fd_ >= 0) {
            pollfd p{out_fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) break;
        }
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return std::nullopt;
    }

    /// SIGTERM, then wait for exit.
    std::optional<int> Stop(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
        Terminate();
        return WaitForExit(timeout);
    }

private:
    void Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env) {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        const int rc =
            ::posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        out_fd_ = fds[0];
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
        }
    }

    // Appends what the process printed within `timeout`; false at end of file.
    bool DrainOutput(std::chrono::milliseconds timeout) {
        pollfd p{out_fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return true;
        char buf[4096];
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n <= 0) return false;
        output_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string output_;
};

}  // namespace tome::testing
