// JsonText: the one way tome turns a JSON value into text that leaves the process (API
// envelopes, requests to backends and remote tomes). Strings in a JSON value can hold any bytes
// a client sent; nlohmann's plain dump() throws on the first invalid UTF-8 byte, which a handler
// would answer with a 500. Pure function; safe from any thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tome {

/// Compact JSON text of `value`, always valid UTF-8: each ill-formed UTF-8 subpart of a string
/// or key becomes U+FFFD (nlohmann's error_handler_t::replace, the same rule as
/// telemetry/api/utf8.hpp); other characters are written as they are (no \u escapes). Never
/// throws because of the content of `value` (only std::bad_alloc).
std::string JsonText(const nlohmann::json& value);

}  // namespace tome
