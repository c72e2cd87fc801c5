// Query-string parsing for the console's HTTP APIs: percent-decoding, repeated keys, and the
// typed readers every route uses (durations "250ms"/"1.5s", unix-ms times, bounded limits,
// key=value attribute filters), each failing with a message that names the parameter.
// Pure functions and a plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tome/core/status.hpp"

namespace tome::console::internal {

class QueryParams {
public:
    /// Parses "a=1&b=x%20y&a=2" ('+' is a space). A malformed escape is an error naming the key.
    static Result<QueryParams> Parse(std::string_view query);

    /// The first value of `key`, or nullopt.
    std::optional<std::string> Get(std::string_view key) const;
    /// Every value of `key`, in order.
    std::vector<std::string> All(std::string_view key) const;
    bool Has(std::string_view key) const { return values_.count(std::string(key)) > 0; }
    /// Keys present that are not in `known`; the first is named in an error.
    Status RejectUnknown(std::initializer_list<std::string_view> known) const;

    /// A duration in nanoseconds: "<number><unit>" with unit ns, us (or µs), ms, s, m, h; a bare
    /// number is in `bare_unit_ns` (milliseconds by default). Absent: nullopt.
    Result<std::optional<std::uint64_t>> Duration(std::string_view key,
                                                  std::uint64_t bare_unit_ns = 1'000'000) const;
    /// An integer in [min, max]. Absent: `fallback`.
    Result<std::int64_t> Integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) const;
    /// "true"/"false"/"1"/"0"; absent: false.
    Result<bool> Flag(std::string_view key) const;
    /// Every `key` value as "name=value" (split at the first '='; the name must not be empty).
    Result<std::vector<std::pair<std::string, std::string>>> KeyValues(std::string_view key) const;

private:
    std::multimap<std::string, std::string> values_;
};

/// Percent-decodes a path segment; nullopt on a malformed escape.
std::optional<std::string> DecodePathSegment(std::string_view segment);

}  // namespace tome::console::internal
