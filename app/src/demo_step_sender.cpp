#include "demo_step_sender.hpp"

#include <cstdint>

namespace tome::app {

namespace {

namespace trace = telemetry::trace;

class ConnectorStepSender final : public DemoStepSender {
public:
    explicit ConnectorStepSender(connector::Connector& connector) : connector_(connector) {}

    trace::SpanKind StepSpanKind() const noexcept override { return trace::SpanKind::kInternal; }

    Status Send(const std::string& tome_id, const TomeEvent& event, trace::Span& span) override {
        connector::TraceParent parent;
        if (const auto& sc = span.GetContext(); sc.IsValid())
            parent = {sc.trace_id.ToHex(), sc.span_id.ToHex()};
        auto report = connector_.SendEvent(tome_id, event, parent);
        if (!report.ok()) return report.status();
        span.SetAttribute("tome.deliveries", static_cast<std::int64_t>(report->deliveries.size()));
        span.SetAttribute("tome.handled",
                          !report->deliveries.empty() && report->deliveries[0].handled);
        return Status::Ok();
    }

private:
    connector::Connector& connector_;
};

}  // namespace

DemoStepSenderFactory ConnectorStepSenders(connector::Connector& connector) {
    return [&connector]() -> std::unique_ptr<DemoStepSender> {
        return std::make_unique<ConnectorStepSender>(connector);
    };
}

}  // namespace tome::app
