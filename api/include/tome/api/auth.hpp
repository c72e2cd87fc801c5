// Authenticator: bearer tokens and their scopes (RFC 6750). When any token is configured, every
// request for data or a change needs one: reads need `read`, changes and events `write`, toggles
// and the audit trail `admin`; the OTLP receiver (/v1/*) needs `ingest` and the remote-tome
// endpoint (/api/remote/events) `remote`, so that the tokens handed to Collectors and to other
// tome processes open nothing else. admin includes write, write includes read; ingest and remote
// are granted only by name. The console's page and its static files carry no data and need none.
//
// A token travels in "Authorization: Bearer <token>", or in the `access_token` query parameter
// for the one request a browser cannot add a header to (the console's EventSource stream).
// Presented tokens are compared with every configured one in time that does not depend on where
// they differ. Tokens are never logged: nothing here writes them anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tome/api/http.hpp"
#include "tome/core/status.hpp"

namespace tome::api {

enum class Scope : std::uint8_t { kRead = 1, kWrite = 2, kAdmin = 4, kIngest = 8, kRemote = 16 };

/// "read", "write", "admin", "ingest", "remote".
std::string_view ScopeName(Scope scope) noexcept;
/// The scope named `name`; kInvalidArgument lists the valid names.
Result<Scope> ParseScope(std::string_view name);

/// Tokens shorter than this are refused at start: they could be guessed.
inline constexpr std::size_t kMinTokenBytes = 16;

struct AccessToken {
    std::string name;    ///< Who the audit trail names ("ops", "dashboard").
    std::string secret;  ///< The token itself.
    std::uint8_t scopes = 0;  ///< Bits of Scope, as configured (admin not yet expanded).
};

/// The answer to "may this request go on?".
struct AuthDecision {
    enum class Outcome { kAllowed, kUnauthenticated, kForbidden };
    Outcome outcome = Outcome::kAllowed;
    std::string principal;  ///< The matching token's name; empty without one.
    Scope needed = Scope::kRead;
    std::string message;    ///< Why not, for the envelope (never contains the token).
    bool allowed() const { return outcome == Outcome::kAllowed; }
    /// 200, 401 or 403.
    int http_status() const;
    /// The WWW-Authenticate value of a 401 or 403 (RFC 6750 section 3).
    std::string challenge() const;
};

class Authenticator {
public:
    /// No tokens: auth is off and every request is allowed. Checks each token (a name, at
    /// least kMinTokenBytes, at least one scope, names and secrets unique): kInvalidArgument
    /// names the token by its name or position, never by its secret.
    static Result<Authenticator> Create(std::vector<AccessToken> tokens);
    Authenticator() = default;

    bool enabled() const { return !tokens_.empty(); }

    /// The scope `method` on `path` needs; nullopt for what needs none (CORS preflight, the
    /// console's page and static files).
    static std::optional<Scope> RequiredScope(std::string_view method, std::string_view path);

    /// Decides for `request`. Allowed with an empty principal when auth is off or the path
    /// needs no scope.
    AuthDecision Check(const HttpRequest& request) const;

    /// Moves an access_token query parameter into "Authorization: Bearer" (unless the request
    /// has that header already) and drops it from the query: the routes behind the check never
    /// see a token in the query, to refuse as an unknown parameter or to keep.
    static void MoveAccessTokenToHeader(HttpRequest& request);

private:
    struct Entry {
        std::string name;
        std::string secret;
        std::uint8_t granted = 0;  // scopes with admin -> write -> read expanded
    };
    /// The configured token equal to `presented`, comparing with all of them in full.
    const Entry* Find(std::string_view presented) const;

    std::vector<Entry> tokens_;
};

}  // namespace tome::api
