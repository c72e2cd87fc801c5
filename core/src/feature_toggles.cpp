#include "tome/core/feature_toggles.hpp"

#include <algorithm>
#include <cctype>

namespace tome {

bool ToggleSet::IsEnabled(std::string_view name) const {
    auto it = values_.find(name);
    return it != values_.end() && it->second;
}

std::map<std::string, bool> FeatureToggles::Defaults() {
    return {
        {std::string(toggles::kEventRouting), true},
        {std::string(toggles::kStateSync), true},
        {std::string(toggles::kHealthMonitoring), true},
        {std::string(toggles::kAdvancedValidation), false},
        {std::string(toggles::kTracing), true},
        {std::string(toggles::kKotlinBackend), false},
    };
}

FeatureToggles::FeatureToggles(const std::map<std::string, bool>& overrides) {
    std::map<std::string, bool, std::less<>> values;
    for (const auto& [k, v] : Defaults()) values[k] = v;
    for (const auto& [k, v] : overrides) values[k] = v;
    current_ = std::make_shared<const ToggleSet>(std::move(values));
}

std::shared_ptr<const ToggleSet> FeatureToggles::Snapshot() const {
    std::lock_guard lock(mu_);
    return current_;
}

Status FeatureToggles::Set(const std::string& name, bool enabled) {
    std::vector<ChangeListener> listeners;
    {
        std::lock_guard lock(mu_);
        if (!current_->Contains(name)) {
            return NotFound("toggle '" + name + "' does not exist");
        }
        if (current_->IsEnabled(name) == enabled) return Status::Ok();
        auto values = current_->values();
        values[name] = enabled;
        current_ = std::make_shared<const ToggleSet>(std::move(values));
        listeners = listeners_;
    }
    for (const auto& l : listeners) l(name, enabled);
    return Status::Ok();
}

void FeatureToggles::OnChange(ChangeListener listener) {
    std::lock_guard lock(mu_);
    listeners_.push_back(std::move(listener));
}

Result<bool> ParseBool(std::string_view text) {
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "1" || s == "on" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "off" || s == "no") return false;
    return InvalidArgument("'" + std::string(text) + "' is not a boolean (true/false)");
}

}  // namespace tome
