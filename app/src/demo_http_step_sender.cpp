#include "demo_http_step_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

namespace tome::app {

namespace {

namespace trace = telemetry::trace;

// libcurl's global state: set up once, never torn down (other threads may still use handles
// while static destructors run).
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

// Runs inside curl_easy_perform; must not throw through C code.
size_t AppendBody(char* data, size_t size, size_t count, void* user) {
    try {
        static_cast<std::string*>(user)->append(data, size * count);
        return size * count;
    } catch (...) {
        return 0;  // curl aborts with CURLE_WRITE_ERROR
    }
}

// The Status an API error envelope names ("not_found" -> kNotFound); kUnavailable otherwise.
Code CodeFromName(std::string_view name) {
    for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists,
                   Code::kFailedPrecondition, Code::kResourceExhausted, Code::kUnavailable,
                   Code::kDeadlineExceeded, Code::kUnimplemented, Code::kInternal}) {
        if (CodeName(c) == name) return c;
    }
    return Code::kUnavailable;
}

// error.type of a transport failure: low-cardinality names.
std::string_view TransportErrorType(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT: return "timeout";
        case CURLE_COULDNT_CONNECT: return "connection_refused";
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR: return "connection_reset";
        default: return "_OTHER";
    }
}

class HttpStepSender final : public DemoStepSender {
public:
    HttpStepSender(const HttpStepSenderOptions& options, std::string base_url)
        : options_(options), base_url_(std::move(base_url)), easy_(curl_easy_init()) {}

    trace::SpanKind StepSpanKind() const noexcept override { return trace::SpanKind::kClient; }

    Status Send(const std::string& tome_id, const TomeEvent& event, trace::Span& span) override {
        const std::string url = base_url_ + "/api/tomes/" + tome_id + "/events";
        span.SetAttributes({{"http.request.method", "POST"},
                            {"url.full", url},
                            {"server.address", options_.host},
                            {"server.port", static_cast<std::int64_t>(options_.port)}});
        try {
            return Post(url, event, span);
        } catch (const std::exception& e) {
            span.SetAttribute("error.type", "_OTHER");
            return Internal("POST " + url + ": " + e.what());
        }
    }

private:
    Status Post(const std::string& url, const TomeEvent& event, trace::Span& span) {
        if (!easy_) return Internal("curl_easy_init failed");
        CURL* h = easy_.get();
        curl_easy_reset(h);  // options only: the connection and caches stay

        trace::MapCarrier carrier;
        if (options_.propagator != nullptr)
            options_.propagator->Inject(trace::Context::Current(), carrier);
        std::unique_ptr<curl_slist, SlistDeleter> headers;
        auto add_header = [&headers](const std::string& line) {
            curl_slist* next = curl_slist_append(headers.get(), line.c_str());
            if (next == nullptr) return false;
            (void)headers.release();
            headers.reset(next);
            return true;
        };
        bool headers_ok = add_header("content-type: application/json") && add_header("Expect:");
        for (const auto& [name, value] : carrier.headers)
            headers_ok = headers_ok && add_header(name + ": " + value);
        if (!headers_ok) return Internal("curl_slist_append failed");

        const std::string body = Json{{"type", event.type}, {"payload", event.payload}}.dump();
        std::string response_body;
        std::array<char, CURL_ERROR_SIZE> error_buffer{};
        const long timeout_ms = std::max<long>(static_cast<long>(options_.timeout.count()), 1);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &response_body);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads + timeouts: no SIGALRM
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // the API is local: never via a proxy

        const CURLcode code = curl_easy_perform(h);
        if (code != CURLE_OK) {
            span.SetAttribute("error.type", TransportErrorType(code));
            std::string message = "POST " + url + ": " + curl_easy_strerror(code);
            if (error_buffer[0] != '\0') message += std::string(" (") + error_buffer.data() + ")";
            return code == CURLE_OPERATION_TIMEDOUT ? DeadlineExceeded(std::move(message))
                                                    : Unavailable(std::move(message));
        }
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        span.SetAttribute("http.response.status_code", static_cast<std::int64_t>(status));

        const Json envelope = Json::parse(response_body, nullptr, /*allow_exceptions=*/false);
        if (status < 200 || status >= 300) {
            span.SetAttribute("error.type", std::to_string(status));
            std::string code_name = "unavailable";
            std::string message = response_body;
            if (envelope.is_object() && envelope.contains("error") &&
                envelope["error"].is_object()) {
                code_name = envelope["error"].value("code", code_name);
                message = envelope["error"].value("message", message);
            }
            return Status(CodeFromName(code_name),
                          "POST " + url + " answered " + std::to_string(status) + ": " + message);
        }
        if (!envelope.is_object() || !envelope.contains("data"))
            return Unavailable("POST " + url + ": the answer is not an API envelope");
        auto report = connector::DeliveryReportFromJson(envelope["data"]);
        if (!report.ok()) return Unavailable("POST " + url + ": " + report.status().message());
        span.SetAttribute("tome.deliveries", static_cast<std::int64_t>(report->deliveries.size()));
        span.SetAttribute("tome.handled",
                          !report->deliveries.empty() && report->deliveries[0].handled);
        return Status::Ok();
    }

    const HttpStepSenderOptions options_;
    const std::string base_url_;
    std::unique_ptr<CURL, EasyDeleter> easy_;
};

}  // namespace

std::string LoopbackFor(const std::string& bind_address) {
    if (bind_address.empty() || bind_address == "0.0.0.0") return "127.0.0.1";
    if (bind_address == "::" || bind_address == "[::]") return "::1";
    return bind_address;
}

DemoStepSenderFactory HttpStepSenders(HttpStepSenderOptions options) {
    InitCurlOnce();
    // An IPv6 literal goes in brackets in a URL.
    const bool v6 = options.host.find(':') != std::string::npos;
    std::string base_url = "http://" + (v6 ? "[" + options.host + "]" : options.host) + ":" +
                           std::to_string(options.port);
    return [options = std::move(options),
            base_url = std::move(base_url)]() -> std::unique_ptr<DemoStepSender> {
        return std::make_unique<HttpStepSender>(options, base_url);
    };
}

}  // namespace tome::app
