#include "tome/robotcopy/component_registry.hpp"

#include <utility>

namespace tome::robotcopy {

Json ToJson(const ComponentInfo& info) {
    return Json{
        {"id", info.id},
        {"type", info.type},
        {"capabilities", info.capabilities},
        {"version", info.version},
        {"status", info.status},
        {"metadata", info.metadata},
        {"registeredAt", FormatRfc3339(info.registered_at)},
    };
}

ComponentRegistry::ComponentRegistry(const Clock& clock) : clock_(clock) {}

Status ComponentRegistry::Register(ComponentInfo info) {
    if (info.id.empty()) return InvalidArgument("component id must not be empty");
    if (info.type.empty()) {
        return InvalidArgument("component '" + info.id + "': type must not be empty");
    }
    if (info.registered_at == Clock::TimePoint{}) info.registered_at = clock_.Now();
    std::lock_guard lock(mu_);
    auto [it, inserted] = components_.try_emplace(info.id);
    if (!inserted) return AlreadyExists("component '" + info.id + "' is already registered");
    it->second = std::move(info);
    return Status::Ok();
}

Status ComponentRegistry::Unregister(const std::string& id) {
    std::lock_guard lock(mu_);
    if (components_.erase(id) == 0) return NotFound("component '" + id + "' is not registered");
    return Status::Ok();
}

Result<ComponentInfo> ComponentRegistry::Find(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = components_.find(id);
    if (it == components_.end()) return NotFound("component '" + id + "' is not registered");
    return it->second;
}

std::vector<ComponentInfo> ComponentRegistry::List() const {
    std::lock_guard lock(mu_);
    std::vector<ComponentInfo> out;
    out.reserve(components_.size());
    for (const auto& [id, info] : components_) out.push_back(info);
    return out;
}

Status ComponentRegistry::SetStatus(const std::string& id, std::string status) {
    if (status.empty()) return InvalidArgument("component '" + id + "': status must not be empty");
    std::lock_guard lock(mu_);
    auto it = components_.find(id);
    if (it == components_.end()) return NotFound("component '" + id + "' is not registered");
    it->second.status = std::move(status);
    return Status::Ok();
}

std::size_t ComponentRegistry::size() const {
    std::lock_guard lock(mu_);
    return components_.size();
}

}  // namespace tome::robotcopy
