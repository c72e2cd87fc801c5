#include "remote_tome_sender.hpp"

#include <utility>
#include <vector>

#include "tome/core/json_text.hpp"
#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::app {
namespace {

namespace trace = telemetry::trace;

/// The Context to send: the current one, unless `parent` names another trace position.
trace::Context OutgoingContext(const connector::TraceParent& parent) {
    const trace::Context& current = trace::Context::Current();
    if (parent.trace_id.empty()) return current;
    const auto trace_id = telemetry::TraceId::FromHex(parent.trace_id);
    if (!trace_id || !trace_id->IsValid()) return current;
    const auto span_id = parent.span_id.empty() ? std::optional<telemetry::SpanId>()
                                                : telemetry::SpanId::FromHex(parent.span_id);
    const trace::SpanContext& sc = current.span_context;
    if (sc.IsValid() && sc.trace_id == *trace_id && (!span_id || sc.span_id == *span_id)) {
        return current;  // keeps the current flags and tracestate
    }
    trace::SpanContext hop;
    hop.trace_id = *trace_id;
    // A traceparent needs a parent span id; without one, start a fresh hop span.
    hop.span_id = span_id && span_id->IsValid() ? *span_id : telemetry::GenerateSpanId();
    hop.trace_flags = trace::kTraceFlagSampled;
    return current.WithSpanContext(std::move(hop));
}

}  // namespace

HttpRemoteTomeSender::HttpRemoteTomeSender(std::unique_ptr<robotcopy::BackendClient> client,
                                           const trace::TextMapPropagator* propagator,
                                           std::string bearer_token)
    : client_(std::move(client)),
      own_propagator_(propagator == nullptr ? trace::MakeW3cPropagator() : nullptr),
      propagator_(propagator != nullptr ? propagator : own_propagator_.get()),
      bearer_token_(std::move(bearer_token)) {}

Result<connector::DeliveryReport> HttpRemoteTomeSender::Deliver(
    const std::string& endpoint, const std::string& tome_id, const TomeEvent& event,
    const std::string& event_id, const std::string& origin, const connector::EventPath& path,
    const connector::TraceParent& trace, std::chrono::milliseconds timeout) {
    robotcopy::BackendRequest request;
    std::string base = endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    request.url = base + "/api/remote/events";
    request.timeout = timeout;
    request.headers.emplace_back("content-type", "application/json");
    if (!bearer_token_.empty()) request.headers.emplace_back("authorization", "Bearer " + bearer_token_);
    trace::MapCarrier carrier;
    propagator_->Inject(OutgoingContext(trace), carrier);
    for (auto& [name, value] : carrier.headers) request.headers.emplace_back(name, value);
    request.body = JsonText(Json{{"tomeId", tome_id},
                                 {"event", {{"type", event.type}, {"payload", event.payload}}},
                                 {"eventId", event_id},
                                 {"origin", origin},
                                 {"path", {{"tomes", path.tomes}, {"visited", path.visited}}}});
    auto response = client_->Post(request);
    if (!response.ok()) return response.status();
    const long status = response->status;
    Json body = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (status < 200 || status >= 300) {
        std::string message = body.is_object() && body.contains("error") && body["error"].is_object()
                                   ? body["error"].value("message", "")
                                   : response->body.substr(0, 200);
        message = request.url + " answered " + std::to_string(status) + ": " + message;
        if (robotcopy::IsNotActedOnStatus(status)) {
            return Unavailable(std::move(message));  // not acted on: worth a retry
        }
        if (status >= 500) return Aborted(std::move(message));
        return FailedPrecondition(std::move(message));
    }
    if (body.is_discarded()) {
        return Aborted(request.url + " answered " + std::to_string(status) +
                       " with a body that is not JSON");
    }
    if (!body.is_object() || !body.contains("data")) {
        return Aborted(request.url + ": response is not an API envelope");
    }
    return connector::DeliveryReportFromJson(body["data"]);
}

}  // namespace tome::app
