// Helpers that read a JSON request body and its fields, turning every problem into an
// InvalidArgument Status that names the field. Private to the api layer.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tome/api/http.hpp"
#include "tome/core/status.hpp"

namespace tome::api::internal {

using Json = nlohmann::json;

/// The body as a JSON object. An empty body is `{}` unless `required`.
Result<Json> ParseJsonObject(const HttpRequest& request, bool required);

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
