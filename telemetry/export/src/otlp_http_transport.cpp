#include "tome/telemetry/export/otlp_http_transport.hpp"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <optional>

#include "tome/telemetry/api/backoff.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::exporter {

std::string GzipCompress(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return {};
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : std::string();
}

namespace {

bool ReadVarint(std::string_view& s, std::uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 64 && !s.empty(); shift += 7) {
        const auto b = static_cast<unsigned char>(s.front());
        s.remove_prefix(1);
        v |= std::uint64_t{b & 0x7Fu} << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

}  // namespace

std::uint64_t DecodeOtlpRejectedCount(std::string_view in) noexcept {
    std::uint64_t tag = 0, len = 0, v = 0;
    while (!in.empty() && ReadVarint(in, tag)) {
        if ((tag & 7) != 2 || !ReadVarint(in, len) || len > in.size()) return 0;  // LEN only
        std::string_view msg = in.substr(0, len);
        in.remove_prefix(len);
        if (tag != ((1 << 3) | 2)) continue;
        while (!msg.empty() && ReadVarint(msg, tag)) {
            if (tag == (1 << 3)) return ReadVarint(msg, v) ? v : 0;
            if ((tag & 7) == 0 && ReadVarint(msg, len)) continue;
            if ((tag & 7) != 2 || !ReadVarint(msg, len) || len > msg.size()) return 0;
            msg.remove_prefix(len);
        }
    }
    return 0;
}

trace::ExportResult AccountOtlpSend(const OtlpSendResult& result, std::uint64_t items,
                                    std::atomic<std::uint64_t>& exported,
                                    std::atomic<std::uint64_t>& rejected,
                                    std::atomic<std::uint64_t>& failures,
                                    OtlpProtocol protocol) noexcept {
    using trace::ExportResult;
    if (result.status == OtlpSendStatus::kSuccess) {
        const std::uint64_t reported = protocol == OtlpProtocol::kHttpJson
                                           ? DecodeOtlpRejectedCountJson(result.response)
                                           : DecodeOtlpRejectedCount(result.response);
        const std::uint64_t refused = std::min(reported, items);
        rejected.fetch_add(refused, std::memory_order_relaxed);
        exported.fetch_add(items - refused, std::memory_order_relaxed);
        return ExportResult::kSuccess;
    }
    failures.fetch_add(1, std::memory_order_relaxed);
    return result.status == OtlpSendStatus::kFailureRetryable ? ExportResult::kFailureRetryable
                                                              : ExportResult::kFailureNonRetryable;
}

struct OtlpHttpTransport::Curl {
    CURL* handle = nullptr;
    curl_slist* headers = nullptr;  // rebuilt when the content type changes
    std::string content_type;       // of `headers`
};

struct OtlpHttpTransport::Attempt {
    long status = 0;  // HTTP status, 0 when no response
    bool transport_error = false;
    std::string body;
    std::optional<std::chrono::milliseconds> retry_after;
};

namespace {

struct CallbackState {
    std::string* body;
    std::optional<std::chrono::milliseconds>* retry_after;
    const std::atomic<bool>* shutdown;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<CallbackState*>(user);
    constexpr std::size_t kMaxResponse = 4 * 1024 * 1024;  // OTLP response limit
    if (st->body->size() + size * n > kMaxResponse) return 0;
    st->body->append(data, size * n);
    return size * n;
}

// Retry-After: delay-seconds or an HTTP-date (OTLP §OTLP/HTTP Throttling).
std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<CallbackState*>(user);
    std::string_view line(data, size * n);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() <= kName.size()) return size * n;
    for (std::size_t i = 0; i < kName.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) return size * n;
    std::string_view v = line.substr(kName.size());
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    const std::string value(v);
    long secs = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (r.ec == std::errc() && r.ptr == value.data() + value.size() && secs >= 0) {
        *st->retry_after = std::chrono::seconds(secs);
    } else if (const time_t when = curl_getdate(value.c_str(), nullptr); when >= 0) {
        *st->retry_after = std::chrono::seconds(std::max<time_t>(0, when - std::time(nullptr)));
    }
    return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* st = static_cast<CallbackState*>(user);
    return st->shutdown->load(std::memory_order_relaxed) ? 1 : 0;  // non-zero aborts
}

bool IsRetryableStatus(long s) { return s == 429 || s == 502 || s == 503 || s == 504; }

void GlobalInit() {
    static const bool once = [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return true;
    }();
    (void)once;
}

}  // namespace

OtlpHttpTransport::OtlpHttpTransport(OtlpHttpTransportOptions options)
    : options_(std::move(options)), curl_(std::make_unique<Curl>()) {
    GlobalInit();
    curl_->handle = curl_easy_init();
}

OtlpHttpTransport::~OtlpHttpTransport() {
    Shutdown();
    if (curl_->handle) curl_easy_cleanup(curl_->handle);
    if (curl_->headers) curl_slist_free_all(curl_->headers);
}

OtlpHttpTransport::Attempt OtlpHttpTransport::Post(std::string_view body,
                                                   std::string_view content_type,
                                                   Clock::time_point deadline) noexcept {
    Attempt a;
    CURL* h = curl_->handle;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (h == nullptr || left.count() <= 0) {
        a.transport_error = true;
        return a;
    }
    if (curl_->headers == nullptr || curl_->content_type != content_type) {
        curl_slist_free_all(curl_->headers);
        curl_->headers = nullptr;
        curl_->content_type = content_type;
        const std::string type_line = "Content-Type: " + std::string(content_type);
        curl_->headers = curl_slist_append(curl_->headers, type_line.c_str());
        if (options_.compression == OtlpCompression::kGzip)
            curl_->headers = curl_slist_append(curl_->headers, "Content-Encoding: gzip");
        curl_->headers = curl_slist_append(curl_->headers, "Expect:");
        for (const auto& [k, v] : options_.headers)
            curl_->headers = curl_slist_append(curl_->headers, (k + ": " + v).c_str());
    }
    CallbackState st{&a.body, &a.retry_after, &shutdown_};
    static const std::string kUserAgent = "tome/" + std::string(trace::kSdkVersion) +
                                          " OTel-OTLP-Exporter-Cpp/" +
                                          std::string(trace::kSdkVersion);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, options_.endpoint.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, curl_->headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, kUserAgent.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &st);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (!options_.certificate_file.empty())
        curl_easy_setopt(h, CURLOPT_CAINFO, options_.certificate_file.c_str());
    if (curl_easy_perform(h) != CURLE_OK) {
        a.transport_error = true;
        return a;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    return a;
}

bool OtlpHttpTransport::WaitBeforeRetry(Clock::time_point until) noexcept {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, until, [&] { return shutdown_.load(); });
    return !shutdown_.load();
}

OtlpSendResult OtlpHttpTransport::Finish(OtlpSendResult r) noexcept {
    if (r.attempts > 0) sends_.fetch_add(1, std::memory_order_relaxed);
    (r.status == OtlpSendStatus::kSuccess ? successes_ : failures_)
        .fetch_add(1, std::memory_order_relaxed);
    return r;
}

OtlpSendResult OtlpHttpTransport::Send(std::string_view raw, std::string_view content_type,
                                       Clock::time_point deadline) noexcept {
    OtlpSendResult r;
    if (shutdown_.load()) return Finish(std::move(r));
    try {
        if (options_.timeout.count() > 0)
            deadline = std::min(deadline, Clock::now() + options_.timeout);
        // The encoded request is posted from the caller's buffer: only gzip makes a new one.
        std::string compressed;
        std::string_view body = raw;
        if (options_.compression == OtlpCompression::kGzip) {
            compressed = GzipCompress(raw);
            if (compressed.empty()) return Finish(std::move(r));
            body = compressed;
        }
        auto backoff = options_.initial_backoff;
        for (;;) {
            Attempt a = Post(body, content_type, deadline);
            ++r.attempts;
            r.last_http_status = a.status;
            if (shutdown_.load()) {
                r.status = OtlpSendStatus::kFailureNonRetryable;
                return Finish(std::move(r));
            }
            if (!a.transport_error && a.status >= 200 && a.status < 300) {
                r.status = OtlpSendStatus::kSuccess;  // partial success is never retried
                r.response = std::move(a.body);
                return Finish(std::move(r));
            }
            r.status = OtlpSendStatus::kFailureRetryable;
            if (!a.transport_error && !IsRetryableStatus(a.status))
                r.status = OtlpSendStatus::kFailureNonRetryable;
            if (r.status == OtlpSendStatus::kFailureNonRetryable ||
                r.attempts >= options_.max_attempts)
                return Finish(std::move(r));
            std::chrono::milliseconds delay;
            if (a.retry_after) {
                delay = *a.retry_after;
            } else {
                delay = JitteredWait(backoff);
                backoff = NextBackoff(backoff, options_.max_backoff);
            }
            const auto until = Clock::now() + delay;
            if (until >= deadline) return Finish(std::move(r));  // Retry-After capped too
            ++r.retries;
            retries_.fetch_add(1, std::memory_order_relaxed);
            if (options_.stats != nullptr) options_.stats->Add(SelfStats::Counter::kExportRetries);
            if (!WaitBeforeRetry(until)) {
                r.status = OtlpSendStatus::kFailureNonRetryable;
                return Finish(std::move(r));
            }
        }
    } catch (...) {
        r.status = OtlpSendStatus::kFailureNonRetryable;
        return Finish(std::move(r));
    }
}

void OtlpHttpTransport::Shutdown() noexcept {
    {
        std::lock_guard lock(mu_);
        shutdown_.store(true);
    }
    cv_.notify_all();
}

OtlpTransportStats OtlpHttpTransport::stats() const noexcept {
    return {sends_.load(std::memory_order_relaxed), successes_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), retries_.load(std::memory_order_relaxed)};
}

}  // namespace tome::telemetry::exporter
