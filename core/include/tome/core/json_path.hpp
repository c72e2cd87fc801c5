// Dot-path access into JSON documents ("order.customer.id"), shared by guards, assignments,
// state mapping and filters. Pure functions on values; no shared state.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tome {

using Json = nlohmann::json;

/// The value at `path` inside `doc`, or nullptr when any segment is missing or not an object.
/// An empty path names the document itself.
const Json* FindPath(const Json& doc, std::string_view path);

/// Sets the value at `path`, creating intermediate objects. Replaces a non-object on the way.
void SetPath(Json& doc, std::string_view path, Json value);

/// Removes the value at `path`; returns whether something was removed.
bool ErasePath(Json& doc, std::string_view path);

/// True when `path` is a non-empty sequence of non-empty segments separated by dots.
bool IsValidPath(std::string_view path);

/// Deep merge: objects merge key by key, anything else replaces.
void MergeInto(Json& target, const Json& updates);

}  // namespace tome
