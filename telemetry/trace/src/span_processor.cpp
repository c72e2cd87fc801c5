#include "tome/telemetry/trace/span_processor.hpp"

#include "tome/telemetry/api/coarse_clock.hpp"
#include "tome/telemetry/trace/span_data_pool.hpp"

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
        detail::RecycleSpanDataHere(std::move(span));
        return;
    }
    std::unique_ptr<SpanData> batch[1] = {std::move(span)};
    const auto deadline = CoarseSteadyNow() + std::chrono::seconds(30);  // a budget, not a timestamp
    // While the export runs the span is "in motion" (ended, not yet counted anywhere else; see
    // SelfStats): one counter per outcome instead of a queued gauge raised and lowered per span.
    const ExportResult r = exporter_->Export(batch, deadline);
    if (r == ExportResult::kQueued) {
        stats_->Add(Counter::kSpansQueued);  // a persistent queue accounts for it from here
    } else if (r == ExportResult::kSuccess) {
        stats_->Add(Counter::kSpansExported);
    } else {
        stats_->Add(Counter::kExportFailures);
        stats_->Add(Counter::kDroppedExportFailed);
    }
    detail::RecycleSpanDataHere(std::move(batch[0]));  // this thread reuses it for its next span
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
