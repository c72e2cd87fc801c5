// Private: groups a batch by resource, then by instrumentation scope, preserving first-seen order.
#pragma once

#include <vector>

#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::exporter {

struct ScopeGroup {
    const trace::InstrumentationScope* scope = nullptr;
    std::vector<const trace::SpanData*> spans;
};
struct ResourceGroup {
    const trace::Resource* resource = nullptr;
    std::vector<ScopeGroup> scopes;
};

template <class Batch>
std::vector<ResourceGroup> GroupSpans(const Batch& spans) {
    std::vector<ResourceGroup> groups;
    for (const auto& s : spans) {
        if (!s) continue;
        const trace::Resource* r = s->resource.get();
        const trace::InstrumentationScope* sc = s->scope.get();
        ResourceGroup* rg = nullptr;
        for (auto& g : groups)
            if (g.resource == r) rg = &g;
        if (rg == nullptr) rg = &groups.emplace_back(ResourceGroup{r, {}});
        ScopeGroup* sg = nullptr;
        for (auto& g : rg->scopes)
            if (g.scope == sc) sg = &g;
        if (sg == nullptr) sg = &rg->scopes.emplace_back(ScopeGroup{sc, {}});
        sg->spans.push_back(s.get());
    }
    return groups;
}

}  // namespace tome::telemetry::exporter
