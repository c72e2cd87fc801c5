#include "demo_faults.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace tome::app {
namespace {

std::optional<double> Number(std::string_view s) {
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::string FormatMillis(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0 && d.count() != 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

std::string FormatRate(double r) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", r);
    return buf;
}

}  // namespace

std::string_view DemoStepTome(std::string_view step) {
    if (step == "order") return "OrderService";
    if (step == "payment") return "PaymentService";
    if (step == "inventory") return "InventoryService";
    if (step == "notification") return "NotificationService";
    if (step == "analytics") return "AnalyticsService";
    return {};
}

std::optional<std::chrono::milliseconds> ParseDurationText(std::string_view text) {
    struct Unit {
        std::string_view suffix;
        double ms;
    };
    // Longest suffix first: "ms" before "s" and "m".
    static constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
    for (const Unit& u : kUnits) {
        if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
            auto v = Number(text.substr(0, text.size() - u.suffix.size()));
            if (!v || *v < 0 || *v * u.ms > 86'400'000.0) return std::nullopt;
            return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*v * u.ms)));
        }
    }
    auto v = Number(text);
    if (!v || *v < 0 || *v > 86'400'000.0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*v)));
}

void DemoFaults::OnDownChange(DownHandler handler) {
    std::lock_guard lock(mu_);
    on_down_ = std::move(handler);
}

Status DemoFaults::Set(const std::map<std::string, std::string>& pairs, bool replace) {
    std::lock_guard lock(mu_);
    std::map<std::string, StepFault, std::less<>> next;
    if (!replace) next = faults_;
    for (const auto& [key, value] : pairs) {
        const auto dot = key.find('.');
        const std::string step = key.substr(0, dot);
        const std::string kind = dot == std::string::npos ? "" : key.substr(dot + 1);
        // Structured bindings captured by name, not by [&]: clang before 16 cannot capture them.
        const auto bad = [&, &fault_key = key, &fault_value = value](const std::string& why) {
            return InvalidArgument("fault '" + fault_key + "=" + fault_value + "': " + why);
        };
        if (DemoStepTome(step).empty()) {
            return bad("unknown step '" + step + "' (expected order, payment, inventory, notification or analytics)");
        }
        StepFault& f = next[step];
        if (kind == "latency") {
            auto d = ParseDurationText(value);
            if (!d) return bad("latency must be a duration such as 600ms, 1.5s or 2m");
            f.latency = *d;
        } else if (kind == "failure_rate") {
            auto r = Number(value);
            if (!r || *r < 0 || *r > 1) return bad("failure_rate must be a number between 0 and 1");
            f.failure_rate = *r;
        } else if (kind == "down") {
            if (value != "true" && value != "false") return bad("down must be true or false");
            f.down = value == "true";
        } else {
            return bad("unknown kind '" + kind + "' (expected latency, failure_rate or down)");
        }
        if (step == "analytics" && kind != "down") return bad("analytics is an observer: only analytics.down applies");
    }
    // Take tomes out of the network or put them back where `down` changed.
    for (std::string_view step : kDemoFaultSteps) {
        const auto before = faults_.find(step);
        const auto after = next.find(step);
        const bool was = before != faults_.end() && before->second.down;
        const bool is = after != next.end() && after->second.down;
        if (was == is || !on_down_) continue;
        if (Status st = on_down_(std::string(DemoStepTome(step)), is); !st.ok()) return st;
    }
    std::erase_if(next, [](const auto& kv) { return kv.second.empty(); });
    faults_ = std::move(next);
    return Status::Ok();
}

Status DemoFaults::SetJson(const nlohmann::json& body) {
    if (!body.is_object()) {
        return InvalidArgument("the body must be a JSON object of fault pairs, e.g. {\"inventory.latency\": \"600ms\"}; {} clears them");
    }
    std::map<std::string, std::string> pairs;
    for (const auto& [key, value] : body.items()) {
        if (value.is_string()) pairs[key] = value.get<std::string>();
        else if (value.is_boolean()) pairs[key] = value.get<bool>() ? "true" : "false";
        else if (value.is_number()) pairs[key] = value.dump();
        else return InvalidArgument("fault '" + key + "': the value must be a string, number or boolean");
    }
    return Set(pairs, true);
}

nlohmann::json DemoFaults::ToJson() const {
    std::lock_guard lock(mu_);
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [step, f] : faults_) {
        if (f.latency.count() > 0) out[step + ".latency"] = FormatMillis(f.latency);
        if (f.failure_rate > 0) out[step + ".failure_rate"] = FormatRate(f.failure_rate);
        if (f.down) out[step + ".down"] = "true";
    }
    return out;
}

StepFault DemoFaults::For(std::string_view step) const {
    std::lock_guard lock(mu_);
    auto it = faults_.find(step);
    return it == faults_.end() ? StepFault{} : it->second;
}

}  // namespace tome::app
