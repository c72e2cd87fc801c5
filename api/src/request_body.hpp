// Helpers that read a JSON request body and its fields: ParseJsonText turns text that is not
// UTF-8 JSON into the 400 invalid_json error (with the byte offset); the others turn every
// problem with a parsed body into an InvalidArgument Status that names the field. Private to the
// api layer.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "tome/api/envelope.hpp"
#include "tome/api/http.hpp"
#include "tome/core/status.hpp"

namespace tome::api::internal {

using Json = nlohmann::json;

/// Deepest nesting of arrays and objects a request body may have (tome definitions need about 8).
inline constexpr std::size_t kMaxJsonDepth = 64;

/// `text` parsed as JSON (RFC 8259: UTF-8 only; at most kMaxJsonDepth levels), or the
/// invalid_json error that says at which byte offset and why it is not: ill-formed UTF-8 (its
/// bytes in hex), or the parser's reason with a short excerpt cut at character boundaries.
std::variant<Json, ApiError> ParseJsonText(std::string_view text);

/// The request's parsed body (Call::body, moved from) as a JSON object. No body (nullptr) is
/// `{}` unless `required`.
Result<Json> BodyObject(Json* body, bool required);

/// The string field `name` (non-empty).
Result<std::string> RequireString(const Json& body, const char* name);
/// An array of non-empty strings under `name`, with at least `min_size` entries.
Result<std::vector<std::string>> RequireStringArray(const Json& body, const char* name,
                                                    std::size_t min_size);
/// Rejects keys of `body` that are not in `allowed`, naming the first unknown one.
Status RejectUnknownFields(const Json& body, const std::vector<std::string>& allowed);

}  // namespace tome::api::internal

namespace tome::connector {
struct DeliveryReport;
}
namespace tome::robotcopy {
class RobotCopy;
}
namespace tome::api {
struct RequestContext;
namespace internal {
/// Records each delivery of `report` in RobotCopy's message history under its trace.
void TrackDeliveries(robotcopy::RobotCopy& rc, const RequestContext& ctx,
                     const connector::DeliveryReport& report);
}  // namespace internal
}  // namespace tome::api
