#include "tome/telemetry/export/otlp_http_exporter.hpp"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <random>

#include "tome/telemetry/export/otlp_encoder.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;
using Counter = SelfStats::Counter;

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

struct OtlpHttpExporter::Curl {
    CURL* handle = nullptr;
    curl_slist* headers = nullptr;
};

struct OtlpHttpExporter::Attempt {
    long status = 0;         // HTTP status, 0 when no response
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

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<CallbackState*>(user);
    std::string_view line(data, size * n);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() > kName.size()) {
        bool match = true;
        for (std::size_t i = 0; i < kName.size() && match; ++i)
            match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
        if (match) {
            std::string value(line.substr(kName.size()));
            while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
                value.pop_back();
            std::size_t b = 0;
            while (b < value.size() && value[b] == ' ') ++b;
            value.erase(0, b);
            long secs = 0;
            auto r = std::from_chars(value.data(), value.data() + value.size(), secs);
            if (r.ec == std::errc() && r.ptr == value.data() + value.size() && secs >= 0) {
                *st->retry_after = std::chrono::seconds(secs);
            } else {
                const time_t when = curl_getdate(value.c_str(), nullptr);  // HTTP-date
                if (when >= 0) {
                    const time_t now = std::time(nullptr);
                    *st->retry_after = std::chrono::seconds(std::max<time_t>(0, when - now));
                }
            }
        }
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

OtlpHttpExporter::OtlpHttpExporter(OtlpHttpExporterOptions options)
    : options_(std::move(options)),
      stats_(options_.stats ? options_.stats : &DefaultSelfStats()),
      curl_(std::make_unique<Curl>()) {
    GlobalInit();
    curl_->handle = curl_easy_init();
    const bool json = options_.protocol == OtlpProtocol::kHttpJson;
    curl_->headers = curl_slist_append(
        curl_->headers, json ? "Content-Type: application/json" : "Content-Type: application/x-protobuf");
    if (options_.compression == OtlpCompression::kGzip)
        curl_->headers = curl_slist_append(curl_->headers, "Content-Encoding: gzip");
    curl_->headers = curl_slist_append(curl_->headers, "Expect:");
    for (const auto& [k, v] : options_.headers) {
        const std::string line = k + ": " + v;
        curl_->headers = curl_slist_append(curl_->headers, line.c_str());
    }
}

OtlpHttpExporter::~OtlpHttpExporter() {
    Shutdown(std::chrono::milliseconds(0));
    if (curl_->handle) curl_easy_cleanup(curl_->handle);
    if (curl_->headers) curl_slist_free_all(curl_->headers);
}

OtlpHttpExporter::Attempt OtlpHttpExporter::Post(const std::string& body,
                                                 Clock::time_point deadline) noexcept {
    Attempt a;
    CURL* h = curl_->handle;
    if (h == nullptr) {
        a.transport_error = true;
        return a;
    }
    CallbackState st{&a.body, &a.retry_after, &shutdown_};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
        a.transport_error = true;
        return a;
    }
    static const std::string kUserAgent =
        "tome/" + std::string(trace::kSdkVersion) + " OTel-OTLP-Exporter-Cpp/" +
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
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        a.transport_error = true;
        return a;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    return a;
}

bool OtlpHttpExporter::WaitBeforeRetry(Clock::time_point until) noexcept {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, until, [&] { return shutdown_.load(); });
    return !shutdown_.load();
}

ExportResult OtlpHttpExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                      Clock::time_point deadline) noexcept {
    if (shutdown_.load()) return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        if (options_.timeout.count() > 0)
            deadline = std::min(deadline, Clock::now() + options_.timeout);
        std::string body = options_.protocol == OtlpProtocol::kHttpJson ? EncodeOtlpJson(batch)
                                                                         : EncodeOtlpProto(batch);
        if (options_.compression == OtlpCompression::kGzip) {
            body = GzipCompress(body);
            if (body.empty()) return ExportResult::kFailureNonRetryable;
        }
        thread_local std::minstd_rand jitter_rng{std::random_device{}()};
        auto backoff = options_.initial_backoff;
        for (int attempt = 1;; ++attempt) {
            Attempt a = Post(body, deadline);
            if (shutdown_.load()) return ExportResult::kFailureNonRetryable;
            if (!a.transport_error && a.status >= 200 && a.status < 300) {
                const auto ps = options_.protocol == OtlpProtocol::kHttpJson
                                    ? DecodePartialSuccessJson(a.body)
                                    : DecodePartialSuccessProto(a.body);
                if (ps && ps->rejected_spans > 0)
                    stats_->Add(Counter::kRejectedByReceiver,
                                static_cast<std::uint64_t>(ps->rejected_spans));
                return ExportResult::kSuccess;  // partial success is never retried
            }
            const bool retryable = a.transport_error || IsRetryableStatus(a.status);
            if (!retryable) return ExportResult::kFailureNonRetryable;
            if (attempt >= options_.max_attempts) return ExportResult::kFailureRetryable;
            std::chrono::milliseconds delay;
            if (a.retry_after) {
                delay = *a.retry_after;
            } else {
                // Full jitter in [backoff/2, backoff].
                const auto half = backoff.count() / 2;
                std::uniform_int_distribution<long long> dist(half, std::max<long long>(half, backoff.count()));
                delay = std::chrono::milliseconds(dist(jitter_rng));
                backoff = std::min(options_.max_backoff, backoff * 2);
            }
            const auto until = Clock::now() + delay;
            if (until >= deadline) return ExportResult::kFailureRetryable;
            stats_->Add(Counter::kExportRetries);
            if (!WaitBeforeRetry(until)) return ExportResult::kFailureNonRetryable;
        }
    } catch (...) {
        return ExportResult::kFailureNonRetryable;
    }
}

bool OtlpHttpExporter::Shutdown(std::chrono::milliseconds) noexcept {
    {
        std::lock_guard lock(mu_);
        shutdown_.store(true);
    }
    cv_.notify_all();
    return true;
}

}  // namespace tome::telemetry::exporter
