#include "remote_tome_sender.hpp"

#include "tome/telemetry/api/ids.hpp"

namespace tome::app {

Result<connector::DeliveryReport> HttpRemoteTomeSender::Deliver(
    const std::string& endpoint, const std::string& tome_id, const TomeEvent& event,
    const std::string& event_id, const std::string& origin, const connector::EventPath& path,
    const connector::TraceParent& trace) {
    robotcopy::BackendRequest request;
    std::string base = endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    request.url = base + "/api/remote/events";
    request.timeout = timeout_;
    request.headers.emplace_back("content-type", "application/json");
    if (!trace.trace_id.empty()) {
        // A traceparent needs a parent span id; without one, start a fresh hop span.
        const std::string span =
            trace.span_id.empty() ? telemetry::GenerateSpanId().ToHex() : trace.span_id;
        request.headers.emplace_back("traceparent", "00-" + trace.trace_id + "-" + span + "-01");
    }
    request.body = Json{{"tomeId", tome_id},
                        {"event", {{"type", event.type}, {"payload", event.payload}}},
                        {"eventId", event_id},
                        {"origin", origin},
                        {"path", {{"tomes", path.tomes}, {"visited", path.visited}}}}
                       .dump();
    auto response = client_->Post(request);
    if (!response.ok()) return response.status();
    Json body;
    try {
        body = Json::parse(response->body);
    } catch (const Json::exception&) {
        return Unavailable(request.url + " answered " + std::to_string(response->status) +
                           " with a body that is not JSON");
    }
    if (response->status < 200 || response->status >= 300) {
        std::string message = body.is_object() && body.contains("error")
                                  ? body["error"].value("message", "")
                                  : response->body;
        return Unavailable(request.url + " answered " + std::to_string(response->status) + ": " +
                           message);
    }
    if (!body.is_object() || !body.contains("data")) {
        return Unavailable(request.url + ": response is not an API envelope");
    }
    return connector::DeliveryReportFromJson(body["data"]);
}

}  // namespace tome::app
