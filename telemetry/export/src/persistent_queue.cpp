// PersistentExportQueue: batch files named <seq>-<items>.<pb|json> in one directory, written
// to <name>.tmp, fsynced, renamed, the directory fsynced; one drain thread sends them in order.
#include "tome/telemetry/export/persistent_queue.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>
#include <pthread.h>

#include "tome/telemetry/api/backoff.hpp"
#include "trace_send_result.hpp"

namespace tome::telemetry::exporter {

namespace fs = std::filesystem;
using Counter = SelfStats::Counter;

namespace {

constexpr std::string_view kProtoExt = ".pb";
constexpr std::string_view kJsonExt = ".json";
constexpr std::string_view kTmpExt = ".tmp";

std::string Errno(const char* what, const fs::path& p) {
    return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

// "<seq>-<items>.<ext>" → seq, items, json. False for any other name.
bool ParseName(const std::string& name, std::uint64_t& seq, std::uint64_t& items, bool& json) {
    const auto dash = name.find('-');
    const auto dot = name.find('.');
    if (dash == std::string::npos || dot == std::string::npos || dot < dash) return false;
    const std::string_view ext = std::string_view(name).substr(dot);
    if (ext != kProtoExt && ext != kJsonExt) return false;
    json = ext == kJsonExt;
    const char* b = name.data();
    auto r1 = std::from_chars(b, b + dash, seq);
    auto r2 = std::from_chars(b + dash + 1, b + dot, items);
    return r1.ec == std::errc() && r1.ptr == b + dash && r2.ec == std::errc() &&
           r2.ptr == b + dot && seq > 0;
}

// Writes `body` to `path` and makes it durable. False with errno set on failure.
bool WriteDurably(const fs::path& path, std::string_view body) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    std::size_t done = 0;
    while (done < body.size()) {
        const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            errno = e;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int e = errno;
    ::close(fd);
    errno = e;
    return synced;
}

bool SyncDirectory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

bool ReadFile(const fs::path& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = std::move(s).str();
    return static_cast<bool>(in) || in.eof();
}

}  // namespace

Result<std::unique_ptr<PersistentExportQueue>> PersistentExportQueue::Open(
    PersistentQueueOptions options, SendFn send, std::function<void()> abort_send,
    SelfStats* stats) {
    const fs::path& dir = options.dir;
    if (dir.empty()) return Error{"persistent queue: no directory given"};
    if (options.max_bytes < kMinPersistentQueueBytes || options.max_bytes > kMaxPersistentQueueBytes) {
        return Error{"persistent queue: maxBytes must be between " +
                     std::to_string(kMinPersistentQueueBytes) + " and " +
                     std::to_string(kMaxPersistentQueueBytes) + ", got " +
                     std::to_string(options.max_bytes)};
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{"persistent queue: cannot create " + dir.string() + ": " + ec.message()};
    const fs::path lock_path = dir / "lock";
    const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) return Error{"persistent queue: " + Errno("cannot open", lock_path)};
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd);
        return Error{"persistent queue: " + dir.string() +
                     " is in use by another process (one process per directory)"};
    }
    std::deque<Entry> recovered;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.ends_with(kTmpExt)) {  // a write the crash interrupted: never acknowledged
            fs::remove(it->path(), ec);
            ec.clear();
            continue;
        }
        Entry e;
        if (!ParseName(name, e.seq, e.items, e.json)) continue;
        e.bytes = it->file_size(ec);
        if (ec) break;
        recovered.push_back(e);
    }
    if (ec) {
        ::close(lock_fd);
        return Error{"persistent queue: cannot read " + dir.string() + ": " + ec.message()};
    }
    std::sort(recovered.begin(), recovered.end(),
              [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
    if (send == nullptr || abort_send == nullptr) {
        ::close(lock_fd);
        return Error{"persistent queue: no send or abort function"};
    }
    return std::unique_ptr<PersistentExportQueue>(new PersistentExportQueue(
        std::move(options), std::move(send), std::move(abort_send),
        stats != nullptr ? stats : &DefaultSelfStats(), lock_fd, std::move(recovered)));
}

PersistentExportQueue::PersistentExportQueue(PersistentQueueOptions options, SendFn send,
                                             std::function<void()> abort_send, SelfStats* stats,
                                             int lock_fd, std::deque<Entry> recovered)
    : options_(std::move(options)),
      send_(std::move(send)),
      abort_send_(std::move(abort_send)),
      stats_(stats),
      lock_fd_(lock_fd) {
    entries_ = std::move(recovered);
    for (const Entry& e : entries_) {
        bytes_ += e.bytes;
        counts_.recovered_items += e.items;
        stats_->Add(Counter::kSpansQueued, e.items);
        stats_->Add(Counter::kPersistentQueueSpans, e.items);
        stats_->Add(Counter::kPersistentQueueBatches);
        stats_->Add(Counter::kPersistentQueueBytes, e.bytes);
    }
    stats_->Add(Counter::kPersistentQueueRecovered, counts_.recovered_items);
    if (!entries_.empty()) next_seq_ = entries_.back().seq + 1;
    MakeRoom(0);  // the limit may have been lowered since the batches were written
    worker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-otlp-queue");
        Run();
    });
}

PersistentExportQueue::~PersistentExportQueue() {
    Shutdown(Clock::now());
    ::close(lock_fd_);  // releases the flock
}

fs::path PersistentExportQueue::PathOf(const Entry& e) const {
    char name[64];
    std::snprintf(name, sizeof name, "%020llu-%llu", static_cast<unsigned long long>(e.seq),
                  static_cast<unsigned long long>(e.items));
    return options_.dir / (std::string(name) + std::string(e.json ? kJsonExt : kProtoExt));
}

void PersistentExportQueue::Remove(const Entry& e, Counter outcome) {
    std::error_code ec;
    fs::remove(PathOf(e), ec);  // a failure leaves a file the next Open sends again
    bytes_ -= e.bytes;
    stats_->Subtract(Counter::kPersistentQueueBatches);
    stats_->Subtract(Counter::kPersistentQueueSpans, e.items);
    stats_->Subtract(Counter::kPersistentQueueBytes, e.bytes);
    stats_->Subtract(Counter::kSpansQueued, e.items);
    if (outcome == Counter::kDroppedPersistentQueueFull) {
        counts_.dropped_full += e.items;
    } else if (outcome == Counter::kDroppedExportFailed) {
        counts_.dropped_refused += e.items;
    } else {
        counts_.delivered_items += e.items;
    }
    stats_->Add(outcome, e.items);  // after leaving the gauges: never counted twice
}

void PersistentExportQueue::MakeRoom(std::uint64_t bytes) {
    // Oldest first, never the batch being sent (its outcome is counted when the send returns).
    auto it = entries_.begin();
    while (bytes_ + bytes > options_.max_bytes && it != entries_.end()) {
        if (it->seq == sending_seq_) {
            ++it;
            continue;
        }
        Remove(*it, Counter::kDroppedPersistentQueueFull);
        it = entries_.erase(it);
    }
}

bool PersistentExportQueue::Enqueue(std::string_view body, std::uint64_t items,
                                    bool json) noexcept {
    try {
        Entry e;
        e.items = items;
        e.bytes = body.size();
        e.json = json;
        {
            std::lock_guard lock(mu_);
            if (stopping_ || e.bytes > options_.max_bytes) return false;
            e.seq = next_seq_++;
        }
        // Written outside the lock: the drain thread keeps sending meanwhile.
        const fs::path path = PathOf(e);
        fs::path tmp = path;
        tmp += kTmpExt;
        if (!WriteDurably(tmp, body) || ::rename(tmp.c_str(), path.c_str()) != 0 ||
            !SyncDirectory(options_.dir)) {
            std::error_code ec;
            fs::remove(tmp, ec);
            fs::remove(path, ec);
            std::lock_guard lock(mu_);
            ++counts_.write_failures;
            return false;
        }
        {
            std::lock_guard lock(mu_);
            MakeRoom(e.bytes);
            entries_.push_back(e);
            bytes_ += e.bytes;
            stats_->Add(Counter::kPersistentQueueBatches);
            stats_->Add(Counter::kPersistentQueueSpans, e.items);
            stats_->Add(Counter::kPersistentQueueBytes, e.bytes);
        }
        cv_.notify_all();
        return true;
    } catch (...) {
        return false;
    }
}

void PersistentExportQueue::Run() noexcept {
    auto delay = options_.initial_retry_delay;
    auto retry_at = Clock::time_point::min();
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return stopping_ || !entries_.empty(); });
        if (stopping_) break;
        if (Clock::now() < retry_at) {  // backing off after a failure
            cv_.wait_until(lock, retry_at, [&] { return stopping_; });
            continue;
        }
        const Entry e = entries_.front();
        sending_seq_ = e.seq;
        lock.unlock();
        std::string body;
        const bool readable = ReadFile(PathOf(e), body) && body.size() == e.bytes;
        OtlpSendResult r;
        if (readable) {
            r = send_(body, e.json ? kOtlpJsonContentType : kOtlpProtobufContentType,
                      Clock::now() + options_.send_timeout);
        }
        lock.lock();
        sending_seq_ = 0;
        if (stopping_ && readable && r.status != OtlpSendStatus::kSuccess) break;  // kept on disk
        auto front = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& x) { return x.seq == e.seq; });
        if (readable && r.status == OtlpSendStatus::kFailureRetryable) {
            retry_at = Clock::now() + JitteredWait(delay);
            delay = NextBackoff(delay, options_.max_retry_delay);
            ++retryable_failures_;
            cv_.notify_all();  // Flush waiters: nothing will be delivered for now
            continue;
        }
        delay = options_.initial_retry_delay;
        retry_at = Clock::time_point::min();
        if (front == entries_.end()) continue;
        if (readable && r.status == OtlpSendStatus::kSuccess) {
            // Partial success: the receiver's rejections are counted beside the exported spans.
            (void)internal::TraceSendResult(r, e.json, *stats_);
            Remove(e, Counter::kSpansExported);
        } else {
            stats_->Add(Counter::kExportFailures);
            Remove(e, Counter::kDroppedExportFailed);
        }
        entries_.erase(front);
        cv_.notify_all();  // Flush waiters
    }
    cv_.notify_all();
}

bool PersistentExportQueue::Flush(Clock::time_point deadline) noexcept {
    std::unique_lock lock(mu_);
    const std::uint64_t last = next_seq_ - 1;  // everything enqueued so far
    const std::uint64_t failures = retryable_failures_;
    auto done = [&] { return entries_.empty() || entries_.front().seq > last; };
    cv_.wait_until(lock, deadline,
                   [&] { return stopping_ || retryable_failures_ != failures || done(); });
    return done();
}

void PersistentExportQueue::Shutdown(Clock::time_point deadline) noexcept {
    (void)Flush(deadline);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;  // before the abort: the aborted send's batch stays on disk
    }
    cv_.notify_all();
    abort_send_();
    std::lock_guard join(join_mu_);
    if (worker_.joinable()) worker_.join();
}

PersistentQueueStats PersistentExportQueue::stats() const noexcept {
    std::lock_guard lock(mu_);
    PersistentQueueStats s = counts_;
    s.batches = entries_.size();
    s.bytes = bytes_;
    for (const Entry& e : entries_) s.items += e.items;
    return s;
}

}  // namespace tome::telemetry::exporter
