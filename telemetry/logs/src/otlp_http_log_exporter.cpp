#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>

#include "tome/telemetry/logs/otlp_log_exporter.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::logs {
namespace {

std::string Trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

Error Bad(const std::string& var, std::string_view value, std::string_view why) {
    return Error{var + ": invalid value '" + std::string(value) + "' (" + std::string(why) + ")"};
}

// The LOGS-specific variable if set, else the generic one, with the name that was used.
std::optional<std::pair<std::string, std::string>> Pick(const EnvLookup& env,
                                                        std::string_view suffix) {
    for (std::string name : {"OTEL_EXPORTER_OTLP_LOGS_" + std::string(suffix),
                             "OTEL_EXPORTER_OTLP_" + std::string(suffix)}) {
        if (auto v = GetNonEmpty(env, name)) return std::make_pair(name, *v);
    }
    return std::nullopt;
}

std::string Gzip(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : std::string();
}

// Reads ExportLogsServiceResponse.partial_success.rejected_log_records (0 when absent/garbled).
std::uint64_t RejectedRecords(std::string_view in) noexcept {
    auto varint = [](std::string_view& s, std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64 && !s.empty(); shift += 7) {
            const auto b = static_cast<unsigned char>(s.front());
            s.remove_prefix(1);
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    };
    std::uint64_t tag = 0, len = 0, v = 0;
    while (!in.empty() && varint(in, tag)) {
        if ((tag & 7) != 2 || !varint(in, len) || len > in.size()) return 0;  // only LEN fields
        std::string_view msg = in.substr(0, len);
        in.remove_prefix(len);
        if (tag != ((1 << 3) | 2)) continue;
        while (!msg.empty() && varint(msg, tag)) {
            if (tag == (1 << 3)) return varint(msg, v) ? v : 0;
            if ((tag & 7) != 2 || !varint(msg, len) || len > msg.size()) return 0;
            msg.remove_prefix(len);
        }
    }
    return 0;
}

struct CallbackState {
    std::optional<std::chrono::milliseconds>* retry_after;
    std::string* body;
    const std::atomic<bool>* shutdown;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<CallbackState*>(user);
    if (st->body->size() + size * n > (1u << 20)) return 0;  // responses are small
    st->body->append(data, size * n);
    return size * n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<CallbackState*>(user);
    std::string_view line(data, size * n);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() <= kName.size()) return size * n;
    for (std::size_t i = 0; i < kName.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) return size * n;
    }
    const std::string value = Trimmed(line.substr(kName.size()));
    long secs = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (r.ec == std::errc() && r.ptr == value.data() + value.size() && secs >= 0) {
        *st->retry_after = std::chrono::seconds(secs);
    } else if (const time_t when = curl_getdate(value.c_str(), nullptr); when != -1) {
        *st->retry_after = std::chrono::seconds(std::max<time_t>(0, when - std::time(nullptr)));
    }
    return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<CallbackState*>(user)->shutdown->load() ? 1 : 0;  // 1 aborts
}

bool IsRetryableStatus(long status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

}  // namespace

Result<OtlpHttpLogExporterOptions> ReadOtlpHttpLogExporterOptions(const EnvLookup& env) {
    OtlpHttpLogExporterOptions o;
    if (auto v = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")) {
        o.endpoint = Trimmed(*v);
    } else if (auto g = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_ENDPOINT")) {
        std::string base = Trimmed(*g);
        while (!base.empty() && base.back() == '/') base.pop_back();
        o.endpoint = base + "/v1/logs";
    }
    if (!o.endpoint.starts_with("http://") && !o.endpoint.starts_with("https://")) {
        const char* var = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")
                              ? "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"
                              : "OTEL_EXPORTER_OTLP_ENDPOINT";
        return Bad(var, o.endpoint, "expected an http:// or https:// URL");
    }
    if (auto p = Pick(env, "PROTOCOL"); p && Trimmed(p->second) != "http/protobuf")
        return Bad(p->first, p->second, "only http/protobuf is supported for logs");
    if (auto c = Pick(env, "COMPRESSION")) {
        const std::string v = Trimmed(c->second);
        if (v == "gzip") o.gzip = true;
        else if (v != "none") return Bad(c->first, c->second, "expected gzip or none");
    }
    if (auto t = Pick(env, "TIMEOUT")) {
        const std::string v = Trimmed(t->second);
        long long ms = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), ms);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size() || ms < 0)
            return Bad(t->first, t->second, "expected a non-negative integer of milliseconds");
        o.timeout = std::chrono::milliseconds(ms);
    }
    if (auto h = Pick(env, "HEADERS")) {
        auto kvs = trace::ParseKeyValueList(h->second, h->first);
        if (!kvs) return kvs.error();
        o.headers = std::move(kvs.value());
    }
    return o;
}

struct OtlpHttpLogExporter::Curl {
    CURL* handle = nullptr;
    curl_slist* headers = nullptr;
};

struct OtlpHttpLogExporter::Attempt {
    long status = 0;  // 0: no response (transport error)
    std::string body;
    std::optional<std::chrono::milliseconds> retry_after;
};

OtlpHttpLogExporter::OtlpHttpLogExporter(OtlpHttpLogExporterOptions options)
    : options_(std::move(options)), curl_(std::make_unique<Curl>()) {
    curl_global_init(CURL_GLOBAL_DEFAULT);  // reference counted by libcurl; thread-safe >= 7.84
    curl_->handle = curl_easy_init();
    curl_->headers = curl_slist_append(curl_->headers, "Content-Type: application/x-protobuf");
    if (options_.gzip) curl_->headers = curl_slist_append(curl_->headers, "Content-Encoding: gzip");
    for (const auto& [k, v] : options_.headers)
        curl_->headers = curl_slist_append(curl_->headers, (k + ": " + v).c_str());
}

OtlpHttpLogExporter::~OtlpHttpLogExporter() {
    Shutdown(std::chrono::milliseconds(0));
    if (curl_->handle != nullptr) curl_easy_cleanup(curl_->handle);
    curl_slist_free_all(curl_->headers);
    curl_global_cleanup();
}

OtlpHttpLogExporter::Attempt OtlpHttpLogExporter::Post(const std::string& body,
                                                       Clock::time_point deadline) noexcept {
    Attempt a;
    CURL* h = curl_->handle;
    if (h == nullptr) return a;
    CallbackState st{&a.retry_after, &a.body, &shutdown_};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, options_.endpoint.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, curl_->headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tome-otlp-logs/0.1.0");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(1, left.count())));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &st);
    if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    return a;
}

bool OtlpHttpLogExporter::WaitBeforeRetry(Clock::time_point until) noexcept {
    std::unique_lock lock(mu_);
    return !cv_.wait_until(lock, until, [&] { return shutdown_.load(); });
}

ExportResult OtlpHttpLogExporter::Export(std::span<const std::unique_ptr<LogRecord>> batch,
                                         Clock::time_point deadline) noexcept {
    if (shutdown_.load()) return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        if (options_.timeout.count() > 0)
            deadline = std::min(deadline, Clock::now() + options_.timeout);
        std::string body;
        EncodeOtlpLogs(batch, body);
        if (options_.gzip) body = Gzip(body);
        thread_local std::minstd_rand rng{std::random_device{}()};
        auto backoff = options_.initial_backoff;
        for (int attempt = 1;; ++attempt) {
            Attempt a = Post(body, deadline);
            if (a.status >= 200 && a.status < 300) {
                const std::uint64_t rejected = std::min<std::uint64_t>(RejectedRecords(a.body),
                                                                       batch.size());
                rejected_.fetch_add(rejected, std::memory_order_relaxed);
                exported_.fetch_add(batch.size() - rejected, std::memory_order_relaxed);
                return ExportResult::kSuccess;
            }
            const bool retryable = a.status == 0 || IsRetryableStatus(a.status);
            if (!retryable || shutdown_.load()) break;
            if (attempt >= options_.max_attempts) {
                failures_.fetch_add(1, std::memory_order_relaxed);
                return ExportResult::kFailureRetryable;
            }
            // Jitter: a uniform delay in [backoff/2, backoff]; Retry-After overrides it.
            auto delay = backoff / 2 + std::chrono::milliseconds(std::uniform_int_distribution<
                long long>(0, std::max<long long>(0, backoff.count() / 2))(rng));
            if (a.retry_after) delay = *a.retry_after;
            const auto until = Clock::now() + delay;
            if (until >= deadline || !WaitBeforeRetry(until)) {
                failures_.fetch_add(1, std::memory_order_relaxed);
                return ExportResult::kFailureRetryable;
            }
            retries_.fetch_add(1, std::memory_order_relaxed);
            backoff = std::min(options_.max_backoff, backoff * 2);
        }
    } catch (...) {
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    return ExportResult::kFailureNonRetryable;
}

bool OtlpHttpLogExporter::Shutdown(std::chrono::milliseconds) noexcept {
    {
        std::lock_guard lock(mu_);
        shutdown_.store(true);
    }
    cv_.notify_all();
    return true;
}

OtlpHttpLogExporterStats OtlpHttpLogExporter::stats() const noexcept {
    return {exported_.load(std::memory_order_relaxed), rejected_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), retries_.load(std::memory_order_relaxed)};
}

}  // namespace tome::telemetry::logs
