#include "tome/robotcopy/backend_client.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

namespace tome::robotcopy {
namespace {

// libcurl's global state is set up once per process and never torn down: other threads may
// still be inside Post() while static destructors run.
bool InitCurlOnce() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    return result == CURLE_OK;
}

struct EasyDeleter {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

// The NO_PROXY (or no_proxy) list with loopback added. Read once: the environment is the
// process's start-up configuration.
const std::string& NoProxyList() {
    static const std::string list = [] {
        std::string out = "localhost,127.0.0.1,::1";
        for (const char* name : {"NO_PROXY", "no_proxy"}) {
            if (const char* v = std::getenv(name); v != nullptr && v[0] != '\0') {
                out += ',';
                out += v;
                break;
            }
        }
        return out;
    }();
    return list;
}

struct Sink {
    std::string body;
    bool failed = false;
};

// Runs on the calling thread inside curl_easy_perform; must not throw through C code.
size_t WriteToSink(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    try {
        sink->body.append(data, size * count);
        return size * count;
    } catch (...) {
        sink->failed = true;
        return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
}

Status TransportError(CURLcode code, const std::string& url, const char* detail) {
    std::string message = "POST " + url + ": " + curl_easy_strerror(code);
    if (detail != nullptr && detail[0] != '\0') message += std::string(" (") + detail + ")";
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return DeadlineExceeded(std::move(message));
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
            return InvalidArgument(std::move(message));
        case CURLE_OUT_OF_MEMORY:
        case CURLE_WRITE_ERROR:
            return Internal(std::move(message));
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
            // Nothing was sent: worth a retry, which cannot repeat anything.
            return Unavailable(std::move(message));
        default:
            // Reset, empty reply, broken send or receive: the request may have been acted on.
            return Aborted(std::move(message));
    }
}

class CurlBackendClient final : public BackendClient {
public:
    explicit CurlBackendClient(ClientTlsOptions tls) : tls_(std::move(tls)) {}

    Result<BackendResponse> Post(const BackendRequest& request) override {
        try {
            return PostImpl(request);
        } catch (const std::exception& e) {
            return Internal("POST " + request.url + ": " + e.what());
        }
    }

private:
    Result<BackendResponse> PostImpl(const BackendRequest& request) const {
        if (!InitCurlOnce()) return Internal("curl_global_init failed");
        std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
        if (!easy) return Internal("curl_easy_init failed");
        CURL* h = easy.get();

        std::unique_ptr<curl_slist, SlistDeleter> headers;
        for (const auto& [name, value] : request.headers) {
            const std::string line = name + ": " + value;
            curl_slist* next = curl_slist_append(headers.get(), line.c_str());
            if (next == nullptr) return Internal("curl_slist_append failed");
            headers.release();
            headers.reset(next);
        }
        // No "Expect: 100-continue" round trip for larger bodies.
        if (curl_slist* next = curl_slist_append(headers.get(), "Expect:")) {
            headers.release();
            headers.reset(next);
        }

        Sink sink;
        char error_buffer[CURL_ERROR_SIZE] = {};
        const long timeout_ms = static_cast<long>(request.timeout.count());
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteToSink);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
        // Threads + timeouts: no SIGALRM-based resolver timeouts.
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        // A configured proxy is used for backends, never for loopback (remote tomes and the
        // demo's calls on this host): NO_PROXY plus the loopback names.
        curl_easy_setopt(h, CURLOPT_NOPROXY, NoProxyList().c_str());
        // https: the far side's certificate and name verified (libcurl's defaults, kept
        // explicit), TLS 1.2 at least, against our CA file when given; our certificate if any.
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        if (!tls_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls_.ca_file.c_str());
        if (!tls_.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, tls_.cert_file.c_str());
        if (!tls_.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, tls_.key_file.c_str());

        const CURLcode code = curl_easy_perform(h);
        if (code != CURLE_OK) {
            if (sink.failed) return Internal("POST " + request.url + ": out of memory");
            return TransportError(code, request.url, error_buffer);
        }

        BackendResponse response;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
        double total_seconds = 0;
        if (curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total_seconds) == CURLE_OK) {
            response.duration_ms = total_seconds * 1000.0;
        }
        response.body = std::move(sink.body);
        return response;
    }

    const ClientTlsOptions tls_;
};

}  // namespace

bool IsNotActedOnStatus(long status) noexcept {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

std::unique_ptr<BackendClient> MakeCurlBackendClient(ClientTlsOptions tls) {
    InitCurlOnce();
    return std::make_unique<CurlBackendClient>(std::move(tls));
}

}  // namespace tome::robotcopy
