#include "wire.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace tome::server::detail {
namespace http = boost::beast::http;

namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Headers the transport owns; a handler cannot override them through extra headers.
bool IsReservedHeader(const std::string& lower_name) {
    return lower_name == "content-length" || lower_name == "transfer-encoding" ||
           lower_name == "connection";
}

std::string JsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

}  // namespace

api::HttpRequest ToApiRequest(WireRequest& wire, std::string client_address,
                              unsigned short local_port, bool body_too_large) {
    api::HttpRequest request;
    const auto method = wire.method_string();
    request.method.assign(method.data(), method.size());
    const auto target = wire.target();
    request.target.assign(target.data(), target.size());
    auto question = request.target.find('?');
    if (question == std::string::npos) {
        request.path = request.target;
    } else {
        request.path = request.target.substr(0, question);
        request.query = request.target.substr(question + 1);
    }
    for (const auto& field : wire) {
        const auto raw_name = field.name_string();
        std::string name = Lower({raw_name.data(), raw_name.size()});
        std::string value(field.value().data(), field.value().size());
        auto [it, inserted] = request.headers.try_emplace(std::move(name), value);
        if (!inserted) it->second += ", " + value;  // repeated header: RFC 7230 list join
    }
    if (!body_too_large) request.body = std::move(wire.body());
    request.client_address = std::move(client_address);
    request.local_port = local_port;
    request.body_too_large = body_too_large;
    return request;
}

WireResponse ToWireResponse(api::HttpResponse response, unsigned version, bool keep_alive,
                            bool head) {
    WireResponse wire;
    wire.version(version);
    wire.result(static_cast<unsigned>(response.status));
    wire.set(http::field::server, "tome");
    wire.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) {
        std::string lower = Lower(name);
        if (IsReservedHeader(lower)) continue;
        if (lower == "content-type" || lower == "server") {
            wire.set(name, value);
        } else {
            wire.insert(name, value);
        }
    }
    const std::size_t length = response.body.size();
    if (!head) wire.body() = std::move(response.body);
    wire.content_length(length);
    wire.keep_alive(keep_alive);
    return wire;
}

WireResponse BadRequestResponse(std::string_view parser_message) {
    api::HttpResponse response;
    response.status = 400;
    response.body = R"({"success":false,"error":{"code":"bad_request","message":"malformed )"
                    R"(HTTP request: )" +
                    JsonEscape(parser_message) + R"("}})";
    return ToWireResponse(std::move(response), 11, false, false);
}

}  // namespace tome::server::detail
