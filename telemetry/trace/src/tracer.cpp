#include "tome/telemetry/trace/tracer.hpp"

#include <chrono>
#include <cstring>

#include "provider_state.hpp"
#include "tome/telemetry/trace/span_data_pool.hpp"

namespace tome::telemetry::trace {

using Counter = SelfStats::Counter;

std::uint64_t SystemNowUnixNano() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

namespace {

const Context& EmptyContext() noexcept {
    static const Context* const kEmpty = new Context();
    return *kEmpty;
}

// Both ids non-zero, without the out-of-line byte loops of TraceId/SpanId::IsValid.
bool IsValidFast(const SpanContext& c) noexcept {
    std::uint64_t t[2];
    std::uint64_t s = 0;
    std::memcpy(t, c.trace_id.bytes.data(), sizeof t);
    std::memcpy(&s, c.span_id.bytes.data(), sizeof s);
    return (t[0] | t[1]) != 0 && s != 0;
}

}  // namespace

bool Tracer::Enabled() const noexcept {
    return state_ != nullptr && !state_->shutdown.load(std::memory_order_relaxed);
}

Span Tracer::StartSpan(std::string_view name, const StartSpanOptions& options) const noexcept {
    const Context& parent_ctx =
        options.root ? EmptyContext() : (options.parent ? *options.parent : Context::Current());
    const SpanContext& parent = parent_ctx.span_context;
    detail::ProviderState* st = state_.get();
    if (st == nullptr || st->shutdown.load(std::memory_order_relaxed)) {
        return parent.IsValid() ? Span(parent) : Span();
    }
    st->stats->Add(Counter::kSpansStarted);
    const bool has_parent = IsValidFast(parent);

    // Kept in a local and copied out, rather than read back from params.
    const TraceId trace_id = has_parent ? parent.trace_id : GenerateTraceId();

    if (st->sampler_plan.enabled) {
        // Same decision as the sampler's ShouldSample, without the virtual call and the
        // SamplingResult: no extra attributes, the parent's tracestate is kept.
        if (!st->sampler_plan.Sampled(has_parent ? &parent : nullptr, trace_id)) {
            SpanContext ctx;
            ctx.trace_id = trace_id;
            ctx.span_id = GenerateSpanId();  // always, even when not sampled (spec order)
            if (has_parent) ctx.trace_state = parent.trace_state;
            return Span(std::move(ctx));
        }
        return StartRecording(name, options, parent_ctx, trace_id,
                              SamplingResult{SamplingDecision::kRecordAndSample, {}, {}});
    }

    SamplingParams params;
    params.parent = has_parent ? &parent : nullptr;
    params.trace_id = trace_id;
    params.name = name;
    params.kind = options.kind;
    params.attributes = options.attributes;
    params.links = options.links;
    return StartRecording(name, options, parent_ctx, trace_id, st->sampler->ShouldSample(params));
}

Span Tracer::StartRecording(std::string_view name, const StartSpanOptions& options,
                            const Context& parent_ctx, const TraceId& trace_id,
                            SamplingResult result) const noexcept {
    const SpanContext& parent = parent_ctx.span_context;
    const bool has_parent = IsValidFast(parent);
    detail::ProviderState* st = state_.get();
    SpanContext ctx;
    ctx.trace_id = trace_id;
    ctx.span_id = GenerateSpanId();
    const bool sampled = result.decision == SamplingDecision::kRecordAndSample;
    ctx.trace_flags = sampled ? kTraceFlagSampled : 0;
    if (result.trace_state) {
        ctx.trace_state = std::move(*result.trace_state);
    } else if (has_parent) {
        ctx.trace_state = parent.trace_state;
    }
    if (result.decision == SamplingDecision::kDrop) return Span(std::move(ctx));
    if (sampled) st->stats->Add(Counter::kSpansSampled);

    try {
        std::unique_ptr<SpanData> data = detail::AcquireSpanData();
        data->context = ctx;
        if (has_parent) {
            data->parent_span_id = parent.span_id;
            data->parent_is_remote = parent.is_remote;
        }
        data->name.assign(name);
        data->kind = options.kind;
        data->start_unix_nano = options.start_unix_nano != 0 ? options.start_unix_nano : st->Now();
        if (data->scope != scope_) data->scope = scope_;  // a pooled record often has them
        if (data->resource != st->resource) data->resource = st->resource;
        const SpanLimits& l = st->limits;
        data->attributes.reserve(
            std::min(options.attributes.size() + result.attributes.size() + 4, l.attribute_count));
        for (const auto& kv : options.attributes)
            detail::SetAttributeLimited(data->attributes, data->dropped_attributes_count,
                                        l.attribute_count, l.attribute_value_length, kv.key,
                                        kv.value);
        for (auto& a : result.attributes) {
            std::visit(
                [&](const auto& v) {
                    using V = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<V, std::vector<bool>>) {
                        // vector<bool> has no contiguous view: copy through an array.
                        std::unique_ptr<bool[]> tmp(new bool[v.size()]);
                        for (std::size_t i = 0; i < v.size(); ++i) tmp[i] = v[i];
                        detail::SetAttributeLimited(
                            data->attributes, data->dropped_attributes_count, l.attribute_count,
                            l.attribute_value_length, a.key,
                            AttributeView(std::span<const bool>(tmp.get(), v.size())));
                    } else {
                        detail::SetAttributeLimited(data->attributes,
                                                    data->dropped_attributes_count,
                                                    l.attribute_count, l.attribute_value_length,
                                                    a.key, AttributeView(v));
                    }
                },
                a.value);
        }
        for (const auto& link : options.links) {
            if (!link.context.IsValid()) continue;
            if (data->links.size() >= l.link_count) {
                ++data->dropped_links_count;
                continue;
            }
            Link owned;
            owned.context = link.context;
            for (const auto& kv : link.attributes)
                detail::SetAttributeLimited(owned.attributes, owned.dropped_attributes_count,
                                            l.attributes_per_link, l.attribute_value_length,
                                            kv.key, kv.value);
            data->links.push_back(std::move(owned));
        }
        if (st->processor) st->processor->OnStart(*data, parent_ctx);
        return Span(std::move(ctx), std::move(data), state_);
    } catch (...) {
        return Span(std::move(ctx));
    }
}

TracerProvider::TracerProvider(TracerProviderOptions options)
    : state_(std::make_shared<detail::ProviderState>()) {
    auto& st = *state_;
    st.sampler = options.sampler ? std::move(options.sampler)
                                 : MakeParentBasedSampler(MakeAlwaysOnSampler());
    std::erase(options.processors, nullptr);
    if (options.processors.size() == 1) {
        st.processor = std::move(options.processors.front());
    } else if (options.processors.size() > 1) {
        st.processor = std::make_unique<MultiSpanProcessor>(std::move(options.processors));
    }
    st.sampler_plan = detail::PlanSampler(*st.sampler);
    st.limits = options.limits;
    if (options.resource) {
        st.resource = std::move(options.resource);
    } else {
        auto r = MakeResource({}, EnvLookup{});
        st.resource = std::make_shared<const Resource>(r.ok() ? std::move(r).value() : Resource());
    }
    st.now_unix_nano = std::move(options.now_unix_nano);
    st.stats = options.stats ? options.stats : &DefaultSelfStats();
}

TracerProvider::~TracerProvider() { Shutdown(std::chrono::seconds(5)); }

std::shared_ptr<TracerProvider> TracerProvider::MakeNoop() {
    return std::shared_ptr<TracerProvider>(new TracerProvider());
}

Tracer TracerProvider::GetTracer(std::string_view name, std::string_view version,
                                 std::string_view schema_url) {
    if (!state_ || state_->shutdown.load(std::memory_order_relaxed)) return Tracer();
    std::lock_guard lock(mu_);
    for (const auto& s : scopes_)
        if (s->name == name && s->version == version && s->schema_url == schema_url)
            return Tracer(state_, s);
    auto scope = std::make_shared<const InstrumentationScope>(InstrumentationScope{
        std::string(name), std::string(version), std::string(schema_url)});
    scopes_.push_back(scope);
    return Tracer(state_, std::move(scope));
}

bool TracerProvider::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    if (!state_ || !state_->processor || state_->shutdown.load()) return true;
    return state_->processor->ForceFlush(timeout);
}

bool TracerProvider::Shutdown(std::chrono::milliseconds timeout) noexcept {
    if (!state_) return true;
    if (state_->shutdown.exchange(true)) return true;
    return state_->processor ? state_->processor->Shutdown(timeout) : true;
}

const Resource& TracerProvider::resource() const noexcept { return *state_->resource; }

namespace {

struct GlobalSlot {
    std::mutex mu;
    std::shared_ptr<TracerProvider> provider = TracerProvider::MakeNoop();
};

GlobalSlot& Global() noexcept {
    static GlobalSlot* const slot = new GlobalSlot();  // leaked: survives static destruction
    return *slot;
}

}  // namespace

std::shared_ptr<TracerProvider> GetTracerProvider() noexcept {
    auto& g = Global();
    std::lock_guard lock(g.mu);
    return g.provider;
}

void SetTracerProvider(std::shared_ptr<TracerProvider> provider) noexcept {
    auto& g = Global();
    if (!provider) provider = TracerProvider::MakeNoop();
    std::shared_ptr<TracerProvider> old;
    {
        std::lock_guard lock(g.mu);
        old = std::exchange(g.provider, std::move(provider));
    }
}

}  // namespace tome::telemetry::trace
