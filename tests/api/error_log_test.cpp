// The API's own log: ERROR "Request failed" for every 5xx answer, in the request's SERVER span;
// nothing for answers below 500. Proxy::Handle with a scripted backend and in-memory exporters
// behind simple processors; no sockets, no sleeps.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tome/api/proxy.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/testing/fake_clock.hpp"
#include "tome/testing/in_memory_telemetry.hpp"

namespace tome::api {
namespace {

namespace trace = telemetry::trace;
namespace logs = telemetry::logs;

class FixedBackend final : public robotcopy::BackendClient {
  public:
    explicit FixedBackend(long status) : status_(status) {}
    Result<robotcopy::BackendResponse> Post(const robotcopy::BackendRequest&) override {
        return robotcopy::BackendResponse{status_, "backend says no", 1.0};
    }

  private:
    long status_;
};

struct Fixture : tome::testing::InMemoryTelemetry {
    explicit Fixture(long backend_status) {
        connector = std::make_unique<connector::Connector>(tomes, toggles, clock);
        robotcopy::RobotCopyOptions rc;
        rc.backends = {{"node", "http://backend.test:3001"}};
        rc.backend_retry.max_attempts = 1;
        rc.tracer_provider = tracer;
        rc.logger_provider = std::make_shared<logs::LoggerProvider>();  // only the API's logs
        robot_copy = std::make_unique<robotcopy::RobotCopy>(
            rc, toggles, clock, std::make_unique<FixedBackend>(backend_status));
        ProxyServices services{tomes, *connector, *robot_copy, toggles, clock};
        services.tracer_provider = tracer.get();
        services.logger_provider = logger.get();
        proxy = std::make_unique<Proxy>(services, ProxyOptions{});
    }

    HttpResponse PostMessage() {
        HttpRequest r;
        r.method = "POST";
        r.target = r.path = "/api/messages";
        r.body = R"({"action":"charge","data":{}})";
        r.headers["content-type"] = "application/json";
        r.client_address = "127.0.0.1";
        return proxy->Handle(r);
    }

    trace::SpanData ServerSpan() const {
        for (auto& s : spans->Spans()) {
            if (s.kind == trace::SpanKind::kServer) return s;
        }
        ADD_FAILURE() << "no SERVER span";
        return {};
    }

    TomeRegistry tomes;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<connector::Connector> connector;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy;
    std::unique_ptr<Proxy> proxy;
};

std::string StrAttr(const logs::LogRecord& r, std::string_view key) {
    for (const auto& kv : r.attributes) {
        if (kv.key == key && kv.value.AsString() != nullptr) return *kv.value.AsString();
    }
    return "<missing>";
}

TEST(ApiErrorLog, ServerErrorIsLoggedInTheServerSpan) {
    Fixture f(503);
    ASSERT_EQ(f.PostMessage().status, 503);
    const auto records = f.records->Snapshot();
    ASSERT_EQ(records.size(), 1u);
    const logs::LogRecord& r = records.front();
    EXPECT_EQ(r.severity, logs::Severity::kError);
    EXPECT_EQ(r.body, logs::LogValue(std::string("Request failed")));
    EXPECT_EQ(StrAttr(r, "http.request.method"), "POST");
    EXPECT_EQ(StrAttr(r, "http.route"), "/api/messages");
    EXPECT_EQ(StrAttr(r, "error.type"), "unavailable");
    EXPECT_NE(StrAttr(r, "error.message").find("503"), std::string::npos);
    const trace::SpanData server = f.ServerSpan();
    EXPECT_EQ(r.trace_id, server.context.trace_id);
    EXPECT_EQ(r.span_id, server.context.span_id);
}

TEST(ApiErrorLog, ClientErrorsAreNotLogged) {
    Fixture f(400);  // the backend's 400 is a failed precondition: the API answers 412
    const HttpResponse response = f.PostMessage();
    ASSERT_GE(response.status, 400);
    ASSERT_LT(response.status, 500);
    EXPECT_TRUE(f.records->Snapshot().empty());
}

}  // namespace
}  // namespace tome::api
