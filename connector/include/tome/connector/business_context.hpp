// Business context as telemetry attributes: the `business.*` entries of a Context's W3C baggage
// (what the api layer derives from an event payload's `business` object, or what arrives in a
// `baggage` header) turned into typed attributes. The one implementation behind the business
// attributes of the connector's and RobotCopy's spans and log records. Pure; call from any
// thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

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

}  // namespace tome::connector
