#include "root_cause.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "views.hpp"

namespace tome::console::internal {
namespace {

struct Key {
    std::string service, operation;
    auto operator<=>(const Key&) const = default;
};

struct Totals {
    double self_ms = 0;
    double errors = 0;
    std::map<std::string, int> tomes;  // tome.id values seen
};

// Self time of every span (ms) and the errors that began in it, summed per (service,
// operation) over a set of traces.
std::map<Key, Totals> Profile(const Store& store, const std::vector<TraceIdBytes>& ids, std::size_t& traces) {
    std::map<Key, Totals> out;
    traces = 0;
    auto records = store.spans().Traces(ids);
    std::string tome;
    for (auto& r : records) {
        TraceSpans trace = DecodeTrace(std::move(r), store.strings());
        if (trace.spans.empty()) continue;
        ++traces;
        std::unordered_map<std::string, std::vector<const SpanView*>> children;
        for (const auto& s : trace.spans) {
            if (!s.header.is_root()) {
                children[std::string(reinterpret_cast<const char*>(s.header.parent_span_id.data()), 8)].push_back(&s);
            }
        }
        for (const auto& s : trace.spans) {
            // The parts of the span's time covered by none of its children.
            std::vector<std::pair<std::uint64_t, std::uint64_t>> covered;
            auto it = children.find(std::string(reinterpret_cast<const char*>(s.header.span_id.data()), 8));
            if (it != children.end()) {
                for (const SpanView* c : it->second) {
                    const std::uint64_t a = std::max(c->header.start_ns, s.header.start_ns);
                    const std::uint64_t b = std::min(c->header.end_ns, s.header.end_ns);
                    if (b > a) covered.emplace_back(a, b);
                }
            }
            std::sort(covered.begin(), covered.end());
            std::uint64_t busy = 0, reach = 0;
            for (const auto& [a, b] : covered) {
                const std::uint64_t from = std::max(a, reach);
                if (b > from) busy += b - from;
                reach = std::max(reach, b);
            }
            const std::uint64_t self = s.header.duration_ns() > busy ? s.header.duration_ns() - busy : 0;
            Totals& t = out[{std::string(store.ServiceOf(s.header.resource_id)), std::string(s.name)}];
            t.self_ms += static_cast<double>(self) / 1e6;
            // An error counts where it began: a span none of whose children failed (a parent
            // marked failed because its child did is not the cause).
            bool child_failed = false;
            if (it != children.end()) {
                for (const SpanView* c : it->second) child_failed |= c->header.status == kStatusError;
            }
            if (s.header.status == kStatusError && !child_failed) t.errors += 1;
            if (s.AttributeText("tome.id", tome)) ++t.tomes[tome];
        }
    }
    return out;
}

std::string Format(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    return buf;
}

}  // namespace

std::optional<RootCauseHint> FindRootCause(const Store& store, const std::vector<TraceIdBytes>& affected,
                                           const std::vector<TraceIdBytes>& baseline, bool errors) {
    std::size_t n_after = 0, n_before = 0;
    const auto after = Profile(store, affected, n_after);
    if (n_after == 0) return std::nullopt;
    const auto before = Profile(store, baseline, n_before);
    std::optional<RootCauseHint> best;
    double best_growth = 0;
    for (const auto& [key, t] : after) {
        const double a = (errors ? t.errors : t.self_ms) / static_cast<double>(n_after);
        double b = 0;
        if (auto it = before.find(key); it != before.end() && n_before > 0) {
            b = (errors ? it->second.errors : it->second.self_ms) / static_cast<double>(n_before);
        }
        const double growth = a - b;
        if (growth <= best_growth) continue;
        best_growth = growth;
        RootCauseHint h;
        h.service = key.service;
        h.operation = key.operation;
        if (!t.tomes.empty()) {
            h.tome = std::max_element(t.tomes.begin(), t.tomes.end(),
                                      [](const auto& x, const auto& y) { return x.second < y.second; })
                         ->first;
        }
        h.before = b;
        h.after = a;
        h.errors = errors;
        best = std::move(h);
    }
    if (!best) return std::nullopt;
    best->affected_traces = n_after;
    best->baseline_traces = n_before;
    for (std::size_t i = 0; i < affected.size() && best->examples.size() < 5; ++i) {
        best->examples.push_back(Hex(affected[i].data(), 16));
    }
    const std::string who = best->tome.empty() ? best->operation
                                               : best->tome + "'s step " + best->operation;
    best->text = errors ? who + " (service " + best->service + "): " + Format(best->after) +
                              " errors per affected trace, " + Format(best->before) + " before"
                        : who + " (service " + best->service + "): self time " + Format(best->after) +
                              " ms per affected trace, " + Format(best->before) + " ms before";
    if (n_before == 0) best->text += " (no baseline traces: compared with zero)";
    return best;
}

}  // namespace tome::console::internal
