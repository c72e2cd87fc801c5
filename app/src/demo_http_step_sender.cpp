#include "demo_http_step_sender.hpp"

#include <cstdint>
#include <exception>
#include <memory>
#include <utility>

#include "tome/core/json_text.hpp"
#include "tome/robotcopy/backend_client.hpp"

namespace tome::app {

namespace {

namespace trace = telemetry::trace;

// The Status an API error envelope names ("not_found" -> kNotFound); kUnavailable otherwise.
Code CodeFromName(std::string_view name) {
    for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists,
                   Code::kFailedPrecondition, Code::kResourceExhausted, Code::kUnavailable,
                   Code::kDeadlineExceeded, Code::kUnimplemented, Code::kInternal}) {
        if (CodeName(c) == name) return c;
    }
    return Code::kUnavailable;
}

class HttpStepSender final : public DemoStepSender {
public:
    HttpStepSender(const HttpStepSenderOptions& options, std::string base_url)
        : options_(options),
          base_url_(std::move(base_url)),
          client_(robotcopy::MakeCurlBackendClient()) {}

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
        robotcopy::BackendRequest request;
        request.url = url;
        request.timeout = options_.timeout;
        request.body = JsonText(Json{{"type", event.type}, {"payload", event.payload}});
        request.headers.emplace_back("content-type", "application/json");
        trace::MapCarrier carrier;
        if (options_.propagator != nullptr)
            options_.propagator->Inject(trace::Context::Current(), carrier);
        for (auto& [name, value] : carrier.headers) request.headers.emplace_back(name, value);

        auto response = client_->Post(request);
        if (!response.ok()) {
            // error.type: "timeout", or the transport's status code name ("unavailable").
            span.SetAttribute("error.type", response.status().code() == Code::kDeadlineExceeded
                                                ? std::string_view("timeout")
                                                : CodeName(response.status().code()));
            return response.status();
        }
        const long status = response->status;
        const std::string& response_body = response->body;
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
    const std::unique_ptr<robotcopy::BackendClient> client_;
};

}  // namespace

std::string LoopbackFor(const std::string& bind_address) {
    if (bind_address.empty() || bind_address == "0.0.0.0") return "127.0.0.1";
    if (bind_address == "::" || bind_address == "[::]") return "::1";
    return bind_address;
}

DemoStepSenderFactory HttpStepSenders(HttpStepSenderOptions options) {
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
