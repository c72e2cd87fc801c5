#include "live_stream.hpp"

#include <deque>

#include "views.hpp"

namespace tome::console::internal {

using SteadyClock = std::chrono::steady_clock;

// One open stream. Events queue here until the connection asks for more.
class LiveStream final : public api::ResponseStream {
public:
    LiveStream(bool traces, bool logs, const LiveOptions& options) : traces_(traces), logs_(logs), options_(options) {}

    bool wants(bool is_trace) const { return is_trace ? traces_ : logs_; }
    bool closed() const { return closed_.load(std::memory_order_acquire); }

    /// Queues an event (or a comment), or hands it straight to a waiting writer.
    void Push(const std::string& event, bool counted) {
        Writer ready;
        std::string piece;
        {
            std::lock_guard lock(mu_);
            if (closed()) return;
            const auto now = SteadyClock::now();
            if (counted) {
                if (now - window_start_ >= std::chrono::seconds(1)) {
                    window_start_ = now;
                    in_window_ = 0;
                }
                if (++in_window_ > options_.max_events_per_second) {
                    ++dropped_;
                    return;
                }
            }
            queue_.push_back(event);
            queued_bytes_ += event.size();
            while (queued_bytes_ > options_.max_queued_bytes && queue_.size() > 1) {
                queued_bytes_ -= queue_.front().size();
                queue_.pop_front();
                ++dropped_;
            }
            if (!waiting_) return;
            ready = std::move(waiting_);
            waiting_ = nullptr;
            piece = TakeLocked();
        }
        last_write_ = SteadyClock::now();
        ready(std::move(piece), false);
    }

    void Next(Writer write) override {
        std::string piece;
        {
            std::lock_guard lock(mu_);
            if (closed()) return;
            if (queue_.empty() && dropped_ == 0) {
                waiting_ = std::move(write);
                return;
            }
            piece = TakeLocked();
        }
        last_write_ = SteadyClock::now();
        write(std::move(piece), false);
    }

    void Close() noexcept override {
        std::lock_guard lock(mu_);
        closed_.store(true, std::memory_order_release);
        waiting_ = nullptr;  // releases the connection it refers to
        queue_.clear();
    }

    SteadyClock::time_point last_write() const { return last_write_.load(); }

private:
    // Everything queued, oldest first (at most 64 KiB at a time); a comment says what was lost.
    std::string TakeLocked() {
        std::string out;
        if (dropped_ > 0) {
            out = ": " + std::to_string(dropped_) + " events dropped (the stream could not keep up)\n\n";
            dropped_ = 0;
        }
        while (!queue_.empty() && out.size() < 64 * 1024) {
            out += queue_.front();
            queued_bytes_ -= queue_.front().size();
            queue_.pop_front();
        }
        return out;
    }

    const bool traces_, logs_;
    const LiveOptions& options_;
    std::mutex mu_;
    std::deque<std::string> queue_;   // guarded by mu_
    std::size_t queued_bytes_ = 0;    // guarded by mu_
    std::uint64_t dropped_ = 0;       // guarded by mu_
    Writer waiting_;                  // guarded by mu_
    SteadyClock::time_point window_start_{};  // guarded by mu_
    std::size_t in_window_ = 0;       // guarded by mu_
    std::atomic<bool> closed_{false};
    std::atomic<SteadyClock::time_point> last_write_{SteadyClock::now()};
};

namespace {

std::string Event(std::string_view name, const Json& data) {
    return "event: " + std::string(name) + "\ndata: " + Dump(data) + "\n\n";
}

}  // namespace

LiveHub::LiveHub(Store& store, LiveOptions options, std::function<Json()> stats)
    : store_(store), options_(options), stats_(std::move(stats)) {
    LiveListener listener;
    listener.on_root = [this](const SpanView& root, std::string_view service) {
        if (count_.load(std::memory_order_relaxed) == 0) return;
        const Json data{{"traceId", Hex(root.header.trace_id.data(), 16)},
                        {"spanId", Hex(root.header.span_id.data(), 8)},
                        {"rootService", std::string(service)},
                        {"rootName", std::string(root.name)},
                        {"startUs", root.header.start_ns / 1000},
                        {"durationUs", root.header.duration_ns() / 1000},
                        {"error", root.header.status == kStatusError}};
        Broadcast(Event("trace", data), true);
    };
    listener.on_log = [this](const LogView& log, std::string_view) {
        if (count_.load(std::memory_order_relaxed) == 0) return;
        Broadcast(Event("log", LogJson(log, store_)), false);
    };
    listener_ = store_.AddListener(std::move(listener));
}

LiveHub::~LiveHub() {
    store_.RemoveListener(listener_);
    std::lock_guard lock(mu_);
    for (auto& s : streams_) s->Close();
}

std::shared_ptr<api::ResponseStream> LiveHub::Open(bool traces, bool logs) {
    std::lock_guard lock(mu_);
    std::erase_if(streams_, [](const auto& s) { return s->closed(); });
    if (streams_.size() >= options_.max_streams) return nullptr;
    auto stream = std::make_shared<LiveStream>(traces, logs, options_);
    // Tells EventSource to reconnect after 2 s if the connection drops.
    stream->Push("retry: 2000\n\n", false);
    streams_.push_back(stream);
    count_.store(streams_.size(), std::memory_order_relaxed);
    return stream;
}

void LiveHub::Broadcast(const std::string& event, bool is_trace) {
    std::vector<std::shared_ptr<LiveStream>> targets;
    {
        std::lock_guard lock(mu_);
        for (const auto& s : streams_) {
            if (!s->closed() && s->wants(is_trace)) targets.push_back(s);
        }
    }
    for (auto& s : targets) s->Push(event, true);
}

void LiveHub::Tick() {
    std::vector<std::shared_ptr<LiveStream>> targets;
    bool send_stats = false;
    {
        std::lock_guard lock(mu_);
        std::erase_if(streams_, [](const auto& s) { return s->closed(); });
        count_.store(streams_.size(), std::memory_order_relaxed);
        targets = streams_;
        send_stats = ++ticks_ % 5 == 0;
    }
    if (targets.empty()) return;
    const std::string stats = send_stats && stats_ ? Event("stats", stats_()) : std::string();
    const auto now = SteadyClock::now();
    for (auto& s : targets) {
        if (!stats.empty()) {
            s->Push(stats, false);
        } else if (now - s->last_write() > std::chrono::seconds(10)) {
            s->Push(": keepalive\n\n", false);
        }
    }
}

std::size_t LiveHub::open_streams() const { return count_.load(std::memory_order_relaxed); }

}  // namespace tome::console::internal
