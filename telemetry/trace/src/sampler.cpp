#include "tome/telemetry/trace/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sampler_plan.hpp"

namespace tome::telemetry::trace {
namespace {

constexpr double kTwoPow56 = 72057594037927936.0;  // 2^56

class AlwaysOnSampler final : public Sampler {
public:
    SamplingResult ShouldSample(const SamplingParams&) const noexcept override {
        return {SamplingDecision::kRecordAndSample, {}, std::nullopt};
    }
    std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOffSampler final : public Sampler {
public:
    SamplingResult ShouldSample(const SamplingParams&) const noexcept override {
        return {SamplingDecision::kDrop, {}, std::nullopt};
    }
    std::string Description() const override { return "AlwaysOffSampler"; }
};

class TraceIdRatioSampler final : public Sampler {
public:
    explicit TraceIdRatioSampler(double ratio)
        : ratio_(std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0)),
          threshold_(ProbabilityToThreshold(ratio_)) {}

    SamplingResult ShouldSample(const SamplingParams& p) const noexcept override {
        return {SampledByThreshold(p.trace_id, threshold_) ? SamplingDecision::kRecordAndSample
                                                           : SamplingDecision::kDrop,
                {},
                std::nullopt};
    }
    std::string Description() const override {
        char buf[64];
        std::snprintf(buf, sizeof buf, "TraceIdRatioBased{%.6f}", ratio_);
        return buf;
    }

    std::uint64_t threshold() const noexcept { return threshold_; }

private:
    double ratio_;
    std::uint64_t threshold_;
};

class ParentBasedSampler final : public Sampler {
public:
    ParentBasedSampler(std::unique_ptr<Sampler> root, ParentBasedDelegates d)
        : root_(root ? std::move(root) : MakeAlwaysOnSampler()),
          remote_sampled_(d.remote_parent_sampled ? std::move(d.remote_parent_sampled)
                                                  : MakeAlwaysOnSampler()),
          remote_not_sampled_(d.remote_parent_not_sampled
                                  ? std::move(d.remote_parent_not_sampled)
                                  : MakeAlwaysOffSampler()),
          local_sampled_(d.local_parent_sampled ? std::move(d.local_parent_sampled)
                                                : MakeAlwaysOnSampler()),
          local_not_sampled_(d.local_parent_not_sampled ? std::move(d.local_parent_not_sampled)
                                                        : MakeAlwaysOffSampler()) {}

    SamplingResult ShouldSample(const SamplingParams& p) const noexcept override {
        const SpanContext* parent = p.parent;
        if (parent == nullptr || !parent->IsValid()) return root_->ShouldSample(p);
        if (parent->is_remote)
            return parent->IsSampled() ? remote_sampled_->ShouldSample(p)
                                       : remote_not_sampled_->ShouldSample(p);
        return parent->IsSampled() ? local_sampled_->ShouldSample(p)
                                   : local_not_sampled_->ShouldSample(p);
    }
    std::string Description() const override {
        return "ParentBased{root=" + root_->Description() +
               ",remoteParentSampled=" + remote_sampled_->Description() +
               ",remoteParentNotSampled=" + remote_not_sampled_->Description() +
               ",localParentSampled=" + local_sampled_->Description() +
               ",localParentNotSampled=" + local_not_sampled_->Description() + "}";
    }

    const Sampler& root() const noexcept { return *root_; }
    const Sampler& remote_sampled() const noexcept { return *remote_sampled_; }
    const Sampler& remote_not_sampled() const noexcept { return *remote_not_sampled_; }
    const Sampler& local_sampled() const noexcept { return *local_sampled_; }
    const Sampler& local_not_sampled() const noexcept { return *local_not_sampled_; }

private:
    std::unique_ptr<Sampler> root_;
    std::unique_ptr<Sampler> remote_sampled_;
    std::unique_ptr<Sampler> remote_not_sampled_;
    std::unique_ptr<Sampler> local_sampled_;
    std::unique_ptr<Sampler> local_not_sampled_;
};

// The threshold of a sampler that ignores the parent and decides on the trace id alone.
bool FlatThreshold(const Sampler& s, std::uint64_t& out) noexcept {
    if (dynamic_cast<const AlwaysOnSampler*>(&s) != nullptr) {
        out = 0;
    } else if (dynamic_cast<const AlwaysOffSampler*>(&s) != nullptr) {
        out = std::uint64_t{1} << 56;
    } else if (const auto* r = dynamic_cast<const TraceIdRatioSampler*>(&s)) {
        out = r->threshold();
    } else {
        return false;
    }
    return true;
}

}  // namespace

namespace detail {

SamplerPlan PlanSampler(const Sampler& sampler) noexcept {
    SamplerPlan plan;
    std::uint64_t t = 0;
    if (FlatThreshold(sampler, t)) {
        plan.root = plan.remote_sampled = plan.remote_not_sampled = t;
        plan.local_sampled = plan.local_not_sampled = t;
        plan.enabled = true;
    } else if (const auto* pb = dynamic_cast<const ParentBasedSampler*>(&sampler)) {
        plan.enabled = FlatThreshold(pb->root(), plan.root) &&
                       FlatThreshold(pb->remote_sampled(), plan.remote_sampled) &&
                       FlatThreshold(pb->remote_not_sampled(), plan.remote_not_sampled) &&
                       FlatThreshold(pb->local_sampled(), plan.local_sampled) &&
                       FlatThreshold(pb->local_not_sampled(), plan.local_not_sampled);
    }
    return plan;
}

}  // namespace detail

std::uint64_t TraceIdRandomness(const TraceId& id) noexcept {
    std::uint64_t r = 0;
    for (std::size_t i = 9; i < 16; ++i) r = (r << 8) | id.bytes[i];
    return r;
}

std::uint64_t ProbabilityToThreshold(double probability) noexcept {
    if (!(probability > 0.0)) return static_cast<std::uint64_t>(1) << 56;  // never (R < 2^56)
    if (probability >= 1.0) return 0;                                         // always
    // 2^56 - round(p * 2^56): scaling p (not 1 - p) keeps the low bits exact.
    const auto scaled = static_cast<std::uint64_t>(std::round(probability * kTwoPow56));
    return (static_cast<std::uint64_t>(1) << 56) - scaled;
}

std::unique_ptr<Sampler> MakeAlwaysOnSampler() { return std::make_unique<AlwaysOnSampler>(); }
std::unique_ptr<Sampler> MakeAlwaysOffSampler() { return std::make_unique<AlwaysOffSampler>(); }
std::unique_ptr<Sampler> MakeTraceIdRatioSampler(double ratio) {
    return std::make_unique<TraceIdRatioSampler>(ratio);
}
std::unique_ptr<Sampler> MakeParentBasedSampler(std::unique_ptr<Sampler> root,
                                                ParentBasedDelegates delegates) {
    return std::make_unique<ParentBasedSampler>(std::move(root), std::move(delegates));
}

}  // namespace tome::telemetry::trace
