// libFuzzer target: HTTP requests through the real api::Proxy (every route handler, the router,
// body parsing, trace headers, CORS, the envelope), in process and without sockets.
//
// Input (fuzz_request_text.hpp): up to four requests separated by a line "###", each written
// like HTTP/1.1 ("METHOD TARGET", header lines, a blank line, the body), so that an input can
// create a tome and then send it events. Each input gets a fresh Proxy over a fresh registry
// holding two tomes and one connection, so a crash reproduces from its input alone.
//
// Checked for every answer: the status is 100..599; a 5xx "internal" answer (an exception that
// escaped a handler) is a finding; a JSON answer is valid UTF-8 and the envelope
// {success, data | error{code, message}, traceId (32 hex), spanId (16 hex)} with success true
// exactly when the status is below 400; a 204 has no body.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "fuzz_request_text.hpp"
#include "tome/api/proxy.hpp"
#include "tome/connector/connector.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/json_path.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/api/utf8.hpp"
#include "tome/testing/fake_clock.hpp"

namespace {

using tome::Json;
using tome::api::HttpRequest;
using tome::api::HttpResponse;

// Backend calls (POST /api/messages) answer at once, without a network.
class InMemoryBackend final : public tome::robotcopy::BackendClient {
public:
    tome::Result<tome::robotcopy::BackendResponse> Post(const tome::robotcopy::BackendRequest&) override {
        return tome::robotcopy::BackendResponse{200, R"({"ok":true})", 1.0};
    }
};

const char* const kOrderTome = R"({"id":"OrderService","initial":"idle","context":{"total":0},
  "states":{"idle":{"on":{"ORDER_PLACED":{"target":"placed","guard":{"field":"total","op":">=","value":0},
  "assign":{"order.id":"orderId","total":"total"}}}},"placed":{"on":{"PAID":"done"}},"done":{"type":"final"}}})";
const char* const kPaymentTome = R"({"id":"PaymentService","initial":"idle",
  "states":{"idle":{"on":{"PAY":"paid"}},"paid":{}}})";
const char* const kConnection = R"({"sourceTome":"OrderService","targetTome":"PaymentService",
  "config":{"eventMapping":{"ORDER_PLACED":"PAY"},"bidirectional":true}})";

// Everything a Proxy borrows, built fresh for each input.
struct Api {
    Api() {
        connector = std::make_unique<tome::connector::Connector>(tomes, toggles, clock);
        tome::robotcopy::RobotCopyOptions rc;
        rc.backends = {{"node", "http://backend.invalid:3001"}};
        robot_copy = std::make_unique<tome::robotcopy::RobotCopy>(rc, toggles, clock,
                                                                  std::make_unique<InMemoryBackend>());
        tome::api::ProxyServices services{tomes, *connector, *robot_copy, toggles, clock};
        proxy = std::make_unique<tome::api::Proxy>(services, tome::api::ProxyOptions{});
        Setup("POST", "/api/tomes", kOrderTome);
        Setup("POST", "/api/tomes", kPaymentTome);
        Setup("POST", "/api/connections", kConnection);
    }

    void Setup(const char* method, const char* path, const char* body) {
        HttpRequest r;
        r.method = method;
        r.target = r.path = path;
        r.body = body;
        r.headers["content-type"] = "application/json";
        r.client_address = "127.0.0.1";
        const HttpResponse answer = proxy->Handle(r);
        TOME_FUZZ_CHECK(answer.status == 201 || answer.status == 200, "fixture request failed: " + answer.body);
    }

    tome::TomeRegistry tomes;
    tome::FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<tome::connector::Connector> connector;
    std::unique_ptr<tome::robotcopy::RobotCopy> robot_copy;
    std::unique_ptr<tome::api::Proxy> proxy;
};

bool IsLowerHex(const Json& v, std::size_t length) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() != length) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

void CheckAnswer(const HttpRequest& request, const HttpResponse& r) {
    const std::string what = request.method + " " + request.target + " -> " + std::to_string(r.status);
    TOME_FUZZ_CHECK(r.status >= 100 && r.status <= 599, what + ": status out of range");
    if (r.status == 204) {
        TOME_FUZZ_CHECK(r.body.empty(), what + ": a 204 with a body");
        return;
    }
    if (r.content_type != "application/json") return;  // /metrics (Prometheus text)
    TOME_FUZZ_CHECK(tome::telemetry::utf8::IsValid(r.body), what + ": the answer is not UTF-8");
    const Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    TOME_FUZZ_CHECK(body.is_object(), what + ": the answer is not a JSON object: " + r.body);
    const auto success = body.find("success");
    TOME_FUZZ_CHECK(success != body.end() && success->is_boolean(), what + ": no success flag: " + r.body);
    TOME_FUZZ_CHECK(success->get<bool>() == (r.status < 400), what + ": success disagrees with the status");
    TOME_FUZZ_CHECK(IsLowerHex(body.value("traceId", Json()), 32), what + ": bad traceId: " + r.body);
    TOME_FUZZ_CHECK(IsLowerHex(body.value("spanId", Json()), 16), what + ": bad spanId: " + r.body);
    if (success->get<bool>()) {
        TOME_FUZZ_CHECK(body.contains("data"), what + ": success without data: " + r.body);
        return;
    }
    const Json error = body.value("error", Json());
    TOME_FUZZ_CHECK(error.is_object() && error.value("code", Json()).is_string() &&
                   error.value("message", Json()).is_string(),
               what + ": an error without code and message: " + r.body);
    // An exception that escaped a handler: input must never be able to cause one.
    TOME_FUZZ_CHECK(!(r.status == 500 && error["code"] == "internal"), what + ": internal error: " + r.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Api api;
    for (HttpRequest& request : tome::fuzz::ParseRequests(input, /*max_requests=*/4)) {
        request.client_address = "127.0.0.1";
        const HttpResponse answer = api.proxy->Handle(request);
        CheckAnswer(request, answer);
    }
    return 0;
}
