#include "tome/telemetry/trace/span_processor.hpp"

namespace tome::telemetry::trace {

using Counter = SelfStats::Counter;

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                         SelfStats* stats)
    : exporter_(std::move(exporter)), stats_(stats ? stats : &DefaultSelfStats()) {}

SimpleSpanProcessor::~SimpleSpanProcessor() { Shutdown(std::chrono::milliseconds(1000)); }

void SimpleSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
    if (!span || !span->context.IsSampled()) return;
    std::lock_guard lock(mu_);
    if (shutdown_ || !exporter_) {
        stats_->Add(Counter::kDroppedShutdown);
        return;
    }
    const std::unique_ptr<SpanData> batch[1] = {std::move(span)};
    const auto deadline = SpanExporter::Clock::now() + std::chrono::seconds(30);
    stats_->Add(Counter::kSpansQueued);  // in an export in flight
    const ExportResult r = exporter_->Export(batch, deadline);
    if (r == ExportResult::kQueued) return;  // a persistent queue accounts for it from here
    stats_->Subtract(Counter::kSpansQueued);
    if (r == ExportResult::kSuccess) {
        stats_->Add(Counter::kSpansExported);
    } else {
        stats_->Add(Counter::kExportFailures);
        stats_->Add(Counter::kDroppedExportFailed);
    }
}

bool SimpleSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    std::lock_guard lock(mu_);
    return shutdown_ || !exporter_ ? false : exporter_->ForceFlush(timeout);
}

bool SimpleSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    std::lock_guard lock(mu_);
    if (shutdown_) return true;
    shutdown_ = true;
    return exporter_ ? exporter_->Shutdown(timeout) : true;
}

MultiSpanProcessor::MultiSpanProcessor(std::vector<std::unique_ptr<SpanProcessor>> processors)
    : processors_(std::move(processors)) {
    std::erase(processors_, nullptr);
}

void MultiSpanProcessor::OnStart(SpanData& span, const Context& parent) noexcept {
    for (auto& p : processors_) p->OnStart(span, parent);
}

void MultiSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
    if (processors_.empty() || !span) return;
    for (std::size_t i = 0; i + 1 < processors_.size(); ++i) {
        try {
            processors_[i]->OnEnd(std::make_unique<SpanData>(*span));
        } catch (...) {  // allocation failure: this processor misses the span
        }
    }
    processors_.back()->OnEnd(std::move(span));
}

bool MultiSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = true;
    for (auto& p : processors_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        ok = p->ForceFlush(std::max(left, std::chrono::milliseconds(0))) && ok;
    }
    return ok;
}

bool MultiSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = true;
    for (auto& p : processors_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        ok = p->Shutdown(std::max(left, std::chrono::milliseconds(0))) && ok;
    }
    return ok;
}

}  // namespace tome::telemetry::trace
