// Business context as telemetry attributes: the `business.*` entries of a Context's W3C baggage
// (what the api layer derives from an event payload's `business` object, or what arrives in a
// `baggage` header) turned into typed attributes. The one implementation behind the business
// attributes of the connector's and RobotCopy's spans and log records. Pure; call from any
// thread.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::connector {

/// Business-context limits, shared with the api layer (api/src/request_tracing.hpp).
inline constexpr std::size_t kMaxBusinessAttributes = 16;
inline constexpr std::size_t kMaxBusinessValueChars = 256;
inline constexpr std::string_view kBusinessPrefix = "business.";

/// Writes the `business.*` entries of `baggage` as attributes of the same name into `out`, in
/// baggage order, at most min(out.size(), kMaxBusinessAttributes) of them (the first ones), and
/// returns how many. An entry with metadata `type=int` / `type=double` / `type=bool` (what the
/// api layer writes for a payload's numbers and bools) keeps that type when its value parses;
/// any other is a string cut to kMaxBusinessValueChars bytes (never inside a UTF-8 sequence).
/// A key that is only the prefix and entries without it are skipped. The written views point
/// into `baggage`, which must outlive their use. Never allocates, never throws.
std::size_t BusinessAttributes(const telemetry::trace::Baggage& baggage,
                               std::span<telemetry::trace::AttributeKV> out) noexcept;

/// The attributes the connector and RobotCopy put on each span and log record of an operation:
/// robotcopy.service, robotcopy.environment and the operation's own `attributes` (together at
/// most kMaxOperationAttributes; the rest are left out), then the business.* entries of
/// `baggage` (none when it is null). On the stack, no allocation; the views point into the
/// arguments, which must outlive view(). Never throws.
class OperationAttributes {
public:
    static constexpr std::size_t kMaxOperationAttributes = 12;

    OperationAttributes(std::string_view service, std::string_view environment,
                        std::initializer_list<telemetry::trace::AttributeKV> attributes,
                        const telemetry::trace::Baggage* baggage) noexcept
        : all_(Filled({"robotcopy.service", service}, std::make_index_sequence<kCapacity>())) {
        all_[1] = {"robotcopy.environment", environment};
        n_ = 2;
        for (const auto& kv : attributes) {
            if (n_ == kMaxOperationAttributes) break;
            all_[n_++] = kv;
        }
        if (baggage != nullptr) {
            n_ += BusinessAttributes(*baggage,
                                     std::span<telemetry::trace::AttributeKV>(all_).subspan(n_));
        }
    }

    std::span<const telemetry::trace::AttributeKV> view() const noexcept {
        return {all_.data(), n_};
    }

private:
    static constexpr std::size_t kCapacity = kMaxOperationAttributes + kMaxBusinessAttributes;
    // N copies of `kv`: AttributeKV has no default constructor.
    template <std::size_t... I>
    static std::array<telemetry::trace::AttributeKV, sizeof...(I)> Filled(
        const telemetry::trace::AttributeKV& kv, std::index_sequence<I...>) noexcept {
        return {((void)I, kv)...};
    }

    std::array<telemetry::trace::AttributeKV, kCapacity> all_;
    std::size_t n_ = 0;
};

}  // namespace tome::connector
