// FeatureToggles: named on/off switches that turn routing, state sync, health monitoring,
// advanced validation, tracing and backend selection on and off at run time. Readers take an
// immutable snapshot (one per event, so an event never sees two configurations); writers
// publish a new snapshot. All methods may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tome/core/status.hpp"

namespace tome {

/// The toggle names of the system tome follows.
namespace toggles {
inline constexpr std::string_view kEventRouting = "enable-event-routing";
inline constexpr std::string_view kStateSync = "enable-state-sync";
inline constexpr std::string_view kHealthMonitoring = "enable-health-monitoring";
inline constexpr std::string_view kAdvancedValidation = "enable-advanced-validation";
inline constexpr std::string_view kTracing = "enable-tracing";
/// Backend selection: on selects the Kotlin backend, off the Node backend.
inline constexpr std::string_view kKotlinBackend = "enable-kotlin-backend";
}  // namespace toggles

/// An immutable set of toggle values.
class ToggleSet {
public:
    explicit ToggleSet(std::map<std::string, bool, std::less<>> values) : values_(std::move(values)) {}
    /// Unknown names read as off.
    bool IsEnabled(std::string_view name) const;
    bool Contains(std::string_view name) const { return values_.find(name) != values_.end(); }
    const std::map<std::string, bool, std::less<>>& values() const { return values_; }

private:
    std::map<std::string, bool, std::less<>> values_;
};

class FeatureToggles {
public:
    /// Called after a toggle changed value: (name, new value). Runs on the writer's thread,
    /// outside any lock.
    using ChangeListener = std::function<void(const std::string&, bool)>;

    /// Starts from Defaults() with `overrides` applied (names not in Defaults() are added).
    explicit FeatureToggles(const std::map<std::string, bool>& overrides = {});
    FeatureToggles(const FeatureToggles&) = delete;
    FeatureToggles& operator=(const FeatureToggles&) = delete;

    /// routing, sync, health monitoring and tracing on; advanced validation and the Kotlin
    /// backend off.
    static std::map<std::string, bool> Defaults();

    std::shared_ptr<const ToggleSet> Snapshot() const;
    bool IsEnabled(std::string_view name) const { return Snapshot()->IsEnabled(name); }

    /// Changes a known toggle. kNotFound names the unknown toggle.
    Status Set(const std::string& name, bool enabled);

    void OnChange(ChangeListener listener);

private:
    mutable std::mutex mu_;
    std::shared_ptr<const ToggleSet> current_;  // guarded by mu_
    std::vector<ChangeListener> listeners_;     // guarded by mu_
};

/// "true"/"false", "1"/"0", "on"/"off", "yes"/"no" (case-insensitive).
Result<bool> ParseBool(std::string_view text);

}  // namespace tome
