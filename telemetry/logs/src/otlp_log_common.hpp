// Private: what the OTLP protobuf and JSON log encoders share: grouping a batch by resource,
// then by instrumentation scope (shared pointers compared by address, first-seen order; batches
// hold few of each, so a linear search is enough), and resource attributes as LogKeyValues.
// Pure.
#pragma once

#include <algorithm>
#include <memory>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include "tome/telemetry/logs/log_record.hpp"

namespace tome::telemetry::logs::detail {

struct ScopeGroup {
    const trace::InstrumentationScope* scope;
    std::vector<const LogRecord*> records;
};
struct ResourceGroup {
    const trace::Resource* resource;
    std::vector<ScopeGroup> scopes;
};

inline std::vector<ResourceGroup> GroupLogRecords(
    std::span<const std::unique_ptr<LogRecord>> batch) {
    std::vector<ResourceGroup> groups;
    for (const auto& r : batch) {
        if (!r) continue;
        auto rg = std::find_if(groups.begin(), groups.end(), [&](const ResourceGroup& g) {
            return g.resource == r->resource.get();
        });
        if (rg == groups.end()) rg = groups.insert(groups.end(), {r->resource.get(), {}});
        auto sg = std::find_if(rg->scopes.begin(), rg->scopes.end(),
                               [&](const ScopeGroup& g) { return g.scope == r->scope.get(); });
        if (sg == rg->scopes.end()) sg = rg->scopes.insert(rg->scopes.end(), {r->scope.get(), {}});
        sg->records.push_back(r.get());
    }
    return groups;
}

/// A resource attribute (scalar or homogeneous array) as the equivalent LogKeyValue.
inline LogKeyValue ResourceKeyValue(const trace::Attribute& a) {
    LogKeyValue kv{a.key, {}};
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t> ||
                          std::is_same_v<V, double> || std::is_same_v<V, std::string>) {
                kv.value = LogValue(v);
            } else {
                LogValue::Array arr;
                for (const auto& item : v) {
                    if constexpr (std::is_same_v<V, std::vector<bool>>) {
                        arr.emplace_back(static_cast<bool>(item));
                    } else {
                        arr.emplace_back(item);
                    }
                }
                kv.value = LogValue(std::move(arr));
            }
        },
        a.value);
    return kv;
}

}  // namespace tome::telemetry::logs::detail
