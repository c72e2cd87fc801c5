#include "tome/telemetry/trace/tail_sampling_processor.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <pthread.h>

#include "tome/telemetry/trace/span_data_pool.hpp"

namespace tome::telemetry::trace {
namespace {

using SteadyClock = std::chrono::steady_clock;

// "The span falls in no category": above every real threshold (which are <= 2^56).
constexpr std::uint64_t kNoCategory = std::numeric_limits<std::uint64_t>::max();

TailSamplingOptions Normalise(TailSamplingOptions o) {
    o.max_traces = std::max<std::size_t>(o.max_traces, 1);
    o.max_spans_per_trace = std::max<std::size_t>(o.max_spans_per_trace, 1);
    if (o.sweep_interval.count() <= 0) o.sweep_interval = std::chrono::milliseconds(1000);
    if (o.decision_timeout.count() < 0) o.decision_timeout = std::chrono::milliseconds(0);
    if (o.latency_threshold.count() < 0) o.latency_threshold = std::chrono::milliseconds(0);
    if (!o.now) o.now = [] { return SteadyClock::now(); };
    return o;
}

std::chrono::milliseconds Left(SteadyClock::time_point deadline) {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          SteadyClock::now()),
                    std::chrono::milliseconds(0));
}

std::vector<std::uint64_t> RuleThresholds(const TailSamplingOptions& o) {
    std::vector<std::uint64_t> out;
    for (const auto& r : o.custom_rules)
        out.push_back(ProbabilityToThreshold(r.rate ? *r.rate : o.high_value_sampling_rate));
    return out;
}

}  // namespace

struct TailSamplingProcessor::Trace {
    std::vector<std::unique_ptr<SpanData>> spans;
    std::uint64_t threshold = kNoCategory;  // lowest threshold among the spans' categories
    std::uint64_t min_start = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t max_end = 0;
    std::chrono::steady_clock::time_point arrived;
    std::list<TraceId>::iterator order;  // in arrival_order_
};

struct TailSamplingProcessor::Decided {
    std::vector<std::unique_ptr<SpanData>> keep;
    std::vector<std::unique_ptr<SpanData>> drop;
};

std::size_t TailSamplingProcessor::IdHash::operator()(const TraceId& id) const noexcept {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, id.bytes.data(), 8);
    std::memcpy(&b, id.bytes.data() + 8, 8);
    return static_cast<std::size_t>(b ^ (a * 0x9e3779b97f4a7c15ULL));
}

TailSamplingProcessor::TailSamplingProcessor(std::unique_ptr<SpanProcessor> downstream,
                                             TailSamplingOptions options)
    : options_(Normalise(std::move(options))),
      downstream_(std::move(downstream)),
      error_threshold_(ProbabilityToThreshold(options_.error_sampling_rate)),
      normal_threshold_(ProbabilityToThreshold(options_.normal_sampling_rate)),
      rule_thresholds_(RuleThresholds(options_)),
      sweeper_([this](std::stop_token stop) {
          pthread_setname_np(pthread_self(), "tome-tailsample");
          Run(std::move(stop));
      }) {}

TailSamplingProcessor::~TailSamplingProcessor() { Shutdown(std::chrono::seconds(5)); }

std::uint64_t TailSamplingProcessor::SpanThreshold(const SpanData& span) const noexcept {
    std::uint64_t t = kNoCategory;
    if (span.status.code == StatusCode::kError) t = std::min(t, error_threshold_);
    const auto latency_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.latency_threshold).count());
    if (latency_ns > 0 && span.end_unix_nano > span.start_unix_nano &&
        span.end_unix_nano - span.start_unix_nano > latency_ns)
        t = 0;
    if (options_.custom_rules.empty()) return t;
    try {
        // The rules see the finished span as a sampler sees a starting one.
        thread_local std::vector<AttributeKV> views;
        views.clear();
        for (const auto& a : span.attributes) {
            std::visit(
                [&](const auto& v) {
                    using V = std::decay_t<decltype(v)>;
                    if constexpr (!std::is_same_v<V, std::vector<bool>>)  // not viewable
                        views.push_back(AttributeKV{a.key, AttributeView(v)});
                },
                a.value);
        }
        SamplingParams p;
        p.trace_id = span.context.trace_id;
        p.name = span.name;
        p.kind = span.kind;
        p.attributes = views;
        for (std::size_t i = 0; i < options_.custom_rules.size(); ++i) {
            if (options_.custom_rules[i].condition.Matches(p)) {
                t = std::min(t, rule_thresholds_[i]);
                break;
            }
        }
        views.clear();
    } catch (...) {  // allocation failure: the rules are skipped for this span
    }
    return t;
}

void TailSamplingProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
    if (!span) return;
    const std::uint64_t threshold = SpanThreshold(*span);
    const bool local_root = !span->parent_span_id.IsValid() || span->parent_is_remote;
    const TraceId id = span->context.trace_id;
    Decided decided;
    std::unique_ptr<SpanData> alone;  // a local root that ended first in its trace
    bool keep_alone = false;
    {
        std::lock_guard lock(mu_);
        ++stats_.spans_received;
        if (shutdown_) {
            ++stats_.dropped_shutdown;
            return;  // the span is freed here
        }
        if (kept_cache_.contains(id)) {  // its trace was kept already: pass it on
            ++stats_.spans_forwarded;
            try {
                decided.keep.push_back(std::move(span));
            } catch (...) {
            }
        } else if (local_root && !traces_.contains(id)) {
            keep_alone = DecideAloneLocked(id, threshold);
            alone = std::move(span);
        } else {
            try {
                auto it = traces_.find(id);
                if (it == traces_.end()) {
                    // A root is decided at once, so it may come in even when the map is full.
                    if (!local_root && traces_.size() >= options_.max_traces) {
                        ++stats_.tail_buffer_full;
                        return;
                    }
                    auto trace = std::make_unique<Trace>();
                    trace->arrived = options_.now();
                    arrival_order_.push_back(id);
                    trace->order = std::prev(arrival_order_.end());
                    try {
                        it = traces_.emplace(id, std::move(trace)).first;
                    } catch (...) {
                        arrival_order_.pop_back();
                        throw;
                    }
                    ++stats_.traces_held;
                }
                Trace& tr = *it->second;
                tr.threshold = std::min(tr.threshold, threshold);
                tr.min_start = std::min(tr.min_start, span->start_unix_nano);
                tr.max_end = std::max(tr.max_end, span->end_unix_nano);
                if (tr.spans.size() >= options_.max_spans_per_trace) {
                    ++stats_.tail_buffer_full;  // dropped, but it still counted above
                } else {
                    tr.spans.push_back(std::move(span));
                    ++stats_.spans_held;
                }
                if (local_root) DecideLocked(id, decided);
            } catch (...) {  // allocation failure: the span is dropped
                ++stats_.tail_buffer_full;
            }
        }
    }
    if (alone) {
        if (!keep_alone) {
            detail::RecycleSpanDataHere(std::move(alone));  // this thread's next span reuses it
        } else if (downstream_) {
            downstream_->OnEnd(std::move(alone));
        }
        return;
    }
    Forward(decided);
}

bool TailSamplingProcessor::DecideAloneLocked(const TraceId& id,
                                              std::uint64_t threshold) noexcept {
    // The span's own threshold already has its latency (its duration is the trace's).
    if (threshold == kNoCategory) threshold = normal_threshold_;
    const bool keep = SampledByThreshold(id, threshold);
    if (keep) {
        ++stats_.traces_kept;
        ++stats_.spans_forwarded;
        try {
            RememberKeptLocked(id);
        } catch (...) {  // allocation failure: a late span of this trace will be held instead
        }
    } else {
        ++stats_.traces_dropped;
        ++stats_.tail_not_sampled;
    }
    return keep;
}

void TailSamplingProcessor::RememberKeptLocked(const TraceId& id) {
    if (options_.kept_cache_size == 0 || kept_cache_.contains(id)) return;
    if (kept_order_.size() >= options_.kept_cache_size) {
        // Full: the oldest id's nodes (set and list) carry the new one, with no allocation.
        auto node = kept_cache_.extract(kept_order_.front());
        kept_order_.splice(kept_order_.end(), kept_order_, kept_order_.begin());
        kept_order_.back() = id;
        if (node.empty()) {  // not expected: the two always hold the same ids
            kept_cache_.insert(id);
        } else {
            node.value() = id;
            kept_cache_.insert(std::move(node));
        }
        return;
    }
    if (!kept_cache_.insert(id).second) return;
    try {
        kept_order_.push_back(id);
    } catch (...) {
        kept_cache_.erase(id);
        throw;
    }
    if (kept_order_.size() > options_.kept_cache_size) {
        kept_cache_.erase(kept_order_.front());
        kept_order_.pop_front();
    }
}

void TailSamplingProcessor::DecideLocked(const TraceId& id, Decided& out) noexcept {
    auto it = traces_.find(id);
    if (it == traces_.end()) return;
    std::unique_ptr<Trace> tr = std::move(it->second);
    arrival_order_.erase(tr->order);
    traces_.erase(it);
    --stats_.traces_held;
    stats_.spans_held -= tr->spans.size();

    std::uint64_t threshold = tr->threshold;
    const auto latency_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.latency_threshold).count());
    if (latency_ns > 0 && tr->max_end > tr->min_start && tr->max_end - tr->min_start > latency_ns)
        threshold = 0;
    if (threshold == kNoCategory) threshold = normal_threshold_;
    const bool keep = SampledByThreshold(id, threshold);

    auto& dest = keep ? out.keep : out.drop;
    if (keep) {
        ++stats_.traces_kept;
        stats_.spans_forwarded += tr->spans.size();
    } else {
        ++stats_.traces_dropped;
        stats_.tail_not_sampled += tr->spans.size();
    }
    try {
        if (keep) RememberKeptLocked(id);
        if (dest.empty()) {
            dest = std::move(tr->spans);
        } else {
            dest.insert(dest.end(), std::make_move_iterator(tr->spans.begin()),
                        std::make_move_iterator(tr->spans.end()));
        }
    } catch (...) {  // allocation failure: what did not move is freed with `tr`
    }
}

void TailSamplingProcessor::Forward(Decided& decided) noexcept {
    for (auto& s : decided.keep) {
        if (downstream_) downstream_->OnEnd(std::move(s));
    }
    decided.keep.clear();
    detail::RecycleSpanData(decided.drop);  // producers reuse the records
}

std::size_t TailSamplingProcessor::DecideExpired() noexcept {
    Decided decided;
    std::size_t n = 0;
    {
        std::lock_guard lock(mu_);
        const auto now = options_.now();
        while (!arrival_order_.empty()) {
            const TraceId id = arrival_order_.front();
            auto it = traces_.find(id);
            if (it == traces_.end()) {  // not expected (DecideLocked unlinks); stay safe
                arrival_order_.pop_front();
                continue;
            }
            if (now - it->second->arrived < options_.decision_timeout)
                break;  // arrivals are in clock order: the rest are younger
            DecideLocked(id, decided);
            ++stats_.tail_decision_timeout;
            ++n;
        }
    }
    Forward(decided);
    return n;
}

void TailSamplingProcessor::DecideAll() noexcept {
    Decided decided;
    {
        std::lock_guard lock(mu_);
        while (!arrival_order_.empty()) {
            const TraceId id = arrival_order_.front();
            if (traces_.find(id) == traces_.end()) {
                arrival_order_.pop_front();
                continue;
            }
            DecideLocked(id, decided);
        }
    }
    Forward(decided);
}

bool TailSamplingProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = SteadyClock::now() + timeout;
    {
        std::lock_guard lock(mu_);
        if (shutdown_) return false;
    }
    DecideAll();
    return downstream_ ? downstream_->ForceFlush(Left(deadline)) : true;
}

bool TailSamplingProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = SteadyClock::now() + timeout;
    std::lock_guard shutdown_lock(shutdown_mu_);
    if (shutdown_done_) return true;
    shutdown_done_ = true;
    {
        std::lock_guard lock(mu_);
        shutdown_ = true;  // later OnEnd calls drop and count
    }
    DecideAll();  // everything held is decided and the kept part forwarded
    sweeper_.request_stop();
    if (sweeper_.joinable() && sweeper_.get_id() != std::this_thread::get_id()) sweeper_.join();
    return downstream_ ? downstream_->Shutdown(Left(deadline)) : true;
}

TailSamplingStats TailSamplingProcessor::Stats() const noexcept {
    std::lock_guard lock(mu_);
    return stats_;
}

std::vector<std::pair<std::string_view, std::uint64_t>> TailSamplingProcessor::DropCounts()
    const {
    const TailSamplingStats s = Stats();
    return {{"tail_buffer_full", s.tail_buffer_full},
            {"tail_decision_timeout", s.tail_decision_timeout},
            {"tail_not_sampled", s.tail_not_sampled}};
}

void TailSamplingProcessor::Run(std::stop_token stop) noexcept {
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(mu_);
            wake_.wait_for(lock, stop, options_.sweep_interval, [] { return false; });
        }
        if (stop.stop_requested()) break;
        DecideExpired();
    }
}

TailSamplingProcessor* UseTailSampling(TracerProviderOptions& provider_options,
                                       std::unique_ptr<SpanProcessor> downstream,
                                       TailSamplingOptions tail_options) {
    provider_options.sampler = MakeAlwaysOnSampler();
    auto processor =
        std::make_unique<TailSamplingProcessor>(std::move(downstream), std::move(tail_options));
    TailSamplingProcessor* raw = processor.get();
    provider_options.processors.push_back(std::move(processor));
    return raw;
}

}  // namespace tome::telemetry::trace
