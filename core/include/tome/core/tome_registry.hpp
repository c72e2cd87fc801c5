// TomeRegistry: the tomes of this process, by id. All methods may be called concurrently;
// tomes are shared so a caller holding one keeps it alive after Remove().
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tome/core/status.hpp"
#include "tome/core/tome.hpp"

namespace tome {

class TomeRegistry {
public:
    TomeRegistry() = default;
    TomeRegistry(const TomeRegistry&) = delete;
    TomeRegistry& operator=(const TomeRegistry&) = delete;

    /// kAlreadyExists when the id is taken.
    Status Add(std::shared_ptr<Tome> tome);
    /// nullptr when absent.
    std::shared_ptr<Tome> Find(const std::string& id) const;
    bool Contains(const std::string& id) const;
    /// kNotFound when absent.
    Status Remove(const std::string& id);
    /// All tomes, sorted by id.
    std::vector<std::shared_ptr<Tome>> List() const;
    std::size_t size() const;

private:
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<Tome>> tomes_;  // guarded by mu_
};

}  // namespace tome
