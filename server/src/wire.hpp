// Conversions between Beast messages and the plain api::HttpRequest / api::HttpResponse values,
// plus the transport's own fixed 400 answer. Pure functions; safe from any thread.
#pragma once

#include <boost/beast/http.hpp>
#include <string>
#include <string_view>

#include "tome/api/http.hpp"

namespace tome::server::detail {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Builds the API value from a parsed request. When `body_too_large` the body is left empty.
api::HttpRequest ToApiRequest(WireRequest& wire, std::string client_address,
                              unsigned short local_port, bool body_too_large);

/// Builds the wire response: status, Content-Type, extra headers, Server: tome, Content-Length
/// and the Connection header matching `keep_alive`. `head` drops the body (HEAD requests).
WireResponse ToWireResponse(api::HttpResponse response, unsigned version, bool keep_alive,
                            bool head);

/// The `400 Bad Request` JSON answer for unparsable HTTP; always `Connection: close`.
WireResponse BadRequestResponse(std::string_view parser_message);

}  // namespace tome::server::detail
