#include "tome/telemetry/trace/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

private:
    std::unique_ptr<Sampler> root_;
    std::unique_ptr<Sampler> remote_sampled_;
    std::unique_ptr<Sampler> remote_not_sampled_;
    std::unique_ptr<Sampler> local_sampled_;
    std::unique_ptr<Sampler> local_not_sampled_;
};

}  // namespace

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
