#include "request_body.hpp"

#include <algorithm>

namespace tome::api::internal {

Result<Json> ParseJsonObject(const HttpRequest& request, bool required) {
    const auto first = request.body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        if (required) return InvalidArgument("request body is empty; expected a JSON object");
        return Json::object();
    }
    Json body;
    try {
        body = Json::parse(request.body);
    } catch (const Json::parse_error& e) {
        return InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " +
                               std::string(e.what()).substr(std::string(e.what()).find(':') + 2));
    }
    if (!body.is_object()) {
        return InvalidArgument(std::string("request body must be a JSON object, got ") +
                               body.type_name());
    }
    return body;
}

Result<std::string> RequireString(const Json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end()) return InvalidArgument(std::string("missing field '") + name + "'");
    if (!it->is_string()) {
        return InvalidArgument(std::string("field '") + name + "' must be a string, got " +
                               it->type_name());
    }
    if (it->get<std::string>().empty()) {
        return InvalidArgument(std::string("field '") + name + "' must not be empty");
    }
    return it->get<std::string>();
}

Result<std::vector<std::string>> RequireStringArray(const Json& body, const char* name,
                                                    std::size_t min_size) {
    auto it = body.find(name);
    if (it == body.end()) return InvalidArgument(std::string("missing field '") + name + "'");
    if (!it->is_array()) {
        return InvalidArgument(std::string("field '") + name + "' must be an array of strings");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const Json& v = (*it)[i];
        if (!v.is_string() || v.get<std::string>().empty()) {
            return InvalidArgument(std::string("field '") + name + "[" + std::to_string(i) +
                                   "]' must be a non-empty string");
        }
        out.push_back(v.get<std::string>());
    }
    if (out.size() < min_size) {
        return InvalidArgument(std::string("field '") + name + "' needs at least " +
                               std::to_string(min_size) + " entries, got " +
                               std::to_string(out.size()));
    }
    return out;
}

Status RejectUnknownFields(const Json& body, const std::vector<std::string>& allowed) {
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            return InvalidArgument("unknown field '" + it.key() + "' (expected: " + list + ")");
        }
    }
    return Status::Ok();
}

}  // namespace tome::api::internal
