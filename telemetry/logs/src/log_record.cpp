#include "tome/telemetry/logs/log_record.hpp"

#include <array>

namespace tome::telemetry::logs {
namespace {

constexpr std::array<std::string_view, 25> kShortNames = {
    "UNSPECIFIED", "TRACE", "TRACE2", "TRACE3", "TRACE4", "DEBUG", "DEBUG2", "DEBUG3", "DEBUG4",
    "INFO",        "INFO2", "INFO3",  "INFO4",  "WARN",   "WARN2", "WARN3",  "WARN4",  "ERROR",
    "ERROR2",      "ERROR3", "ERROR4", "FATAL", "FATAL2", "FATAL3", "FATAL4"};

template <class T>
LogValue::Array ArrayOf(std::span<const T> values) {
    LogValue::Array out;
    out.reserve(values.size());
    for (const auto& v : values) {
        if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, std::string>) {
            out.emplace_back(std::string(v));
        } else {
            out.emplace_back(v);
        }
    }
    return out;
}

}  // namespace

std::string_view SeverityShortName(Severity severity) noexcept {
    const auto n = static_cast<std::size_t>(severity);
    return n < kShortNames.size() ? kShortNames[n] : kShortNames[0];
}

namespace {
constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
}  // namespace

std::string_view SeverityLevelName(Severity severity) noexcept {
    const auto n = static_cast<unsigned>(severity);
    if (n == 0 || n > 24) return "info";
    return kLevels[(n - 1) / 4];
}

std::optional<Severity> SeverityFromLevelName(std::string_view level) noexcept {
    for (std::size_t i = 0; i < std::size(kLevels); ++i) {
        if (level == kLevels[i]) return static_cast<Severity>(1 + 4 * i);
    }
    return std::nullopt;
}

LogValue ToLogValue(const trace::AttributeView& view) {
    return std::visit(
        [](const auto& v) -> LogValue {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) {
                return LogValue(std::string(v));
            } else if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t> ||
                                 std::is_same_v<V, double>) {
                return LogValue(v);
            } else {
                return LogValue(ArrayOf(v));
            }
        },
        view.storage());
}

}  // namespace tome::telemetry::logs
