#include "tome/core/tome_registry.hpp"

#include <algorithm>
#include <mutex>

namespace tome {

Status TomeRegistry::Add(std::shared_ptr<Tome> tome) {
    TOME_CHECK(tome != nullptr, "TomeRegistry::Add(nullptr)");
    std::unique_lock lock(mu_);
    const std::string id = tome->id();
    if (!tomes_.emplace(id, std::move(tome)).second) {
        return AlreadyExists("tome '" + id + "' already exists");
    }
    return Status::Ok();
}

std::shared_ptr<Tome> TomeRegistry::Find(const std::string& id) const {
    std::shared_lock lock(mu_);
    auto it = tomes_.find(id);
    return it == tomes_.end() ? nullptr : it->second;
}

bool TomeRegistry::Contains(const std::string& id) const {
    std::shared_lock lock(mu_);
    return tomes_.count(id) > 0;
}

Status TomeRegistry::Remove(const std::string& id) {
    std::unique_lock lock(mu_);
    if (tomes_.erase(id) == 0) return NotFound("tome '" + id + "' does not exist");
    return Status::Ok();
}

std::vector<std::shared_ptr<Tome>> TomeRegistry::List() const {
    std::vector<std::shared_ptr<Tome>> out;
    {
        std::shared_lock lock(mu_);
        out.reserve(tomes_.size());
        for (const auto& [id, tome] : tomes_) out.push_back(tome);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->id() < b->id(); });
    return out;
}

std::size_t TomeRegistry::size() const {
    std::shared_lock lock(mu_);
    return tomes_.size();
}

}  // namespace tome
