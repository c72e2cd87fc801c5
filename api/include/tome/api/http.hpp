// Plain HTTP request/response values exchanged between the transport (server/) and the API
// (api/). No sockets here: the server parses the wire into an HttpRequest, the API answers with
// an HttpResponse, and the server writes it. Values only; safe to move between threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tome::api {

/// Header names are stored lower-cased (HTTP header names are case-insensitive).
using HeaderMap = std::map<std::string, std::string>;

struct HttpRequest {
    std::string method;          ///< "GET", "POST", ... as received (upper case).
    std::string target;          ///< Full request target: "/api/tomes?x=1".
    std::string path;            ///< Target without the query: "/api/tomes".
    std::string query;           ///< After '?', without it; empty when absent.
    HeaderMap headers;           ///< Lower-cased names.
    std::string body;            ///< Empty when body_too_large.
    std::string client_address;  ///< Peer IP address ("127.0.0.1").
    unsigned short local_port = 0;
    /// Set by the transport when the body exceeded its limit; the body was not read and the
    /// API must answer 413 without acting on the request.
    bool body_too_large = false;

    /// Header value by lower-case name, or empty.
    std::string_view Header(std::string_view lower_name) const {
        auto it = headers.find(std::string(lower_name));
        return it == headers.end() ? std::string_view{} : std::string_view{it->second};
    }
};

/// The body of a response that is written as it is produced (Server-Sent Events). The server
/// writes the status and headers, then asks for the body piece by piece: it calls Next with a
/// Writer and waits until the stream calls that Writer (once, from any thread) with the next
/// piece; `last` ends the response. Close is called once when the connection goes away or the
/// server stops; after it, Writers may still be called and are ignored. Implementations must
/// be safe to call from any thread and must not block in Next.
class ResponseStream {
public:
    using Writer = std::function<void(std::string piece, bool last)>;
    ResponseStream() = default;
    ResponseStream(const ResponseStream&) = delete;
    ResponseStream& operator=(const ResponseStream&) = delete;
    virtual ~ResponseStream() = default;

    virtual void Next(Writer write) = 0;
    virtual void Close() noexcept = 0;
};

struct HttpResponse {
    int status = 200;
    /// Extra headers; names as they should be written. Content-Type defaults to JSON.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string content_type = "application/json";
    /// When set, the body is streamed from it after `body` (which is written first); the
    /// connection then closes when the stream ends.
    std::shared_ptr<ResponseStream> stream;
};

/// What the transport calls for every request. Implementations must be safe to call
/// concurrently from the server's worker threads and must not throw.
class RequestHandler {
public:
    RequestHandler() = default;
    RequestHandler(const RequestHandler&) = delete;
    RequestHandler& operator=(const RequestHandler&) = delete;
    virtual ~RequestHandler() = default;

    virtual HttpResponse Handle(const HttpRequest& request) noexcept = 0;
};

}  // namespace tome::api
