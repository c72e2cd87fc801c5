// ComponentRegistry: the components RobotCopy knows about (tomes, connectors, proxies,
// backends), with their capabilities, version and status. All methods may be called
// concurrently.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tome/core/clock.hpp"
#include "tome/core/status.hpp"

namespace tome::robotcopy {

using Json = nlohmann::json;

struct ComponentInfo {
    std::string id;
    std::string type;  ///< "tome", "connector", "proxy", "backend", ...
    std::vector<std::string> capabilities;
    std::string version;
    std::string status = "active";
    Json metadata = Json::object();
    Clock::TimePoint registered_at{};  ///< Set from the clock by Register when left empty.
};

/// {id, type, capabilities, version, status, metadata, registeredAt (RFC 3339)}.
Json ToJson(const ComponentInfo& info);

class ComponentRegistry {
public:
    /// Borrows `clock`, which must outlive the registry.
    explicit ComponentRegistry(const Clock& clock);
    ComponentRegistry(const ComponentRegistry&) = delete;
    ComponentRegistry& operator=(const ComponentRegistry&) = delete;

    /// kInvalidArgument when id or type is empty; kAlreadyExists when the id is taken.
    Status Register(ComponentInfo info);
    /// kNotFound when the id is unknown.
    Status Unregister(const std::string& id);
    /// kNotFound when the id is unknown.
    Result<ComponentInfo> Find(const std::string& id) const;
    /// All components, sorted by id.
    std::vector<ComponentInfo> List() const;
    /// kNotFound when the id is unknown; kInvalidArgument when `status` is empty.
    Status SetStatus(const std::string& id, std::string status);
    std::size_t size() const;

private:
    const Clock& clock_;
    mutable std::mutex mu_;
    std::map<std::string, ComponentInfo> components_;  // guarded by mu_
};

}  // namespace tome::robotcopy
