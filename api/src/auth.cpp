#include "tome/api/auth.hpp"

#include <set>

namespace tome::api {
namespace {

constexpr std::pair<Scope, std::string_view> kScopes[] = {
    {Scope::kRead, "read"}, {Scope::kWrite, "write"}, {Scope::kAdmin, "admin"},
    {Scope::kIngest, "ingest"}, {Scope::kRemote, "remote"}};

std::uint8_t Bit(Scope s) { return static_cast<std::uint8_t>(s); }

/// Equal in time that depends only on the configured secret's length, not on the presented
/// token or where the two differ.
bool ConstantTimeEquals(std::string_view secret, std::string_view presented) {
    unsigned char diff = secret.size() == presented.size() ? 0 : 1;
    for (std::size_t i = 0; i < secret.size(); ++i) {
        const unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
        diff |= static_cast<unsigned char>(secret[i]) ^ p;
    }
    return diff == 0;
}

/// The token of "Authorization: Bearer <token>" (scheme case-insensitive), or of the
/// access_token query parameter; empty when neither.
std::string_view PresentedToken(const HttpRequest& request) {
    std::string_view auth = request.Header("authorization");
    if (auth.size() > 7) {
        std::string scheme(auth.substr(0, 7));
        for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (scheme == "bearer ") {
            auth.remove_prefix(7);
            while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
            while (!auth.empty() && auth.back() == ' ') auth.remove_suffix(1);
            return auth;
        }
    }
    std::string_view query = request.query;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        if (part.starts_with("access_token=")) return part.substr(13);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

}  // namespace

std::string_view ScopeName(Scope scope) noexcept {
    for (const auto& [s, name] : kScopes) {
        if (s == scope) return name;
    }
    return "unknown";
}

Result<Scope> ParseScope(std::string_view name) {
    for (const auto& [s, n] : kScopes) {
        if (n == name) return s;
    }
    return InvalidArgument("unknown scope '" + std::string(name) +
                           "' (expected read, write, admin, ingest or remote)");
}

int AuthDecision::http_status() const {
    switch (outcome) {
        case Outcome::kAllowed: return 200;
        case Outcome::kUnauthenticated: return 401;
        case Outcome::kForbidden: return 403;
    }
    return 401;
}

std::string AuthDecision::challenge() const {
    std::string value = "Bearer realm=\"tome\"";
    if (outcome == Outcome::kForbidden) {
        value += ", error=\"insufficient_scope\", scope=\"" + std::string(ScopeName(needed)) + "\"";
    } else if (!message.empty() && message.find("no token") == std::string::npos) {
        value += ", error=\"invalid_token\"";
    }
    return value;
}

Result<Authenticator> Authenticator::Create(std::vector<AccessToken> tokens) {
    Authenticator auth;
    std::set<std::string> names, secrets;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const AccessToken& t = tokens[i];
        const std::string which = t.name.empty() ? "token #" + std::to_string(i + 1) : "token '" + t.name + "'";
        if (t.name.empty()) return InvalidArgument(which + " has no name");
        if (t.secret.size() < kMinTokenBytes) {
            return InvalidArgument(which + " is shorter than " + std::to_string(kMinTokenBytes) +
                                   " characters (use e.g. `openssl rand -hex 32`)");
        }
        if (t.scopes == 0) return InvalidArgument(which + " has no scopes");
        if (!names.insert(t.name).second) return InvalidArgument(which + " is named twice");
        if (!secrets.insert(t.secret).second) return InvalidArgument(which + " has the same secret as another token");
        std::uint8_t granted = t.scopes;
        if (granted & Bit(Scope::kAdmin)) granted |= Bit(Scope::kWrite);
        if (granted & Bit(Scope::kWrite)) granted |= Bit(Scope::kRead);
        auth.tokens_.push_back({t.name, t.secret, granted});
    }
    return auth;
}

std::optional<Scope> Authenticator::RequiredScope(std::string_view method, std::string_view path) {
    if (method == "OPTIONS") return std::nullopt;  // CORS preflight: browsers send no credentials
    if (path.starts_with("/v1/")) return Scope::kIngest;
    if (path == "/api/remote/events") return Scope::kRemote;
    if (path == "/api/audit") return Scope::kAdmin;
    const bool data = path.starts_with("/api/") || path.starts_with("/console/api/") ||
                      path.starts_with("/jaeger/") || path == "/metrics";
    if (!data) return std::nullopt;  // the console's page, its assets, and unknown paths (404)
    if (method == "GET" || method == "HEAD") return Scope::kRead;
    if (path.starts_with("/api/toggles")) return Scope::kAdmin;
    return Scope::kWrite;
}

const Authenticator::Entry* Authenticator::Find(std::string_view presented) const {
    const Entry* found = nullptr;
    for (const Entry& e : tokens_) {  // every token, whatever matched before
        if (ConstantTimeEquals(e.secret, presented) && found == nullptr) found = &e;
    }
    return found;
}

void Authenticator::MoveAccessTokenToHeader(HttpRequest& request) {
    std::string kept;
    std::string token;
    std::string_view query = request.query;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        if (part.starts_with("access_token=")) {
            if (token.empty()) token = std::string(part.substr(13));
        } else if (!part.empty()) {
            if (!kept.empty()) kept += '&';
            kept.append(part);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    request.target = request.path + (kept.empty() ? std::string() : "?" + kept);
    request.query = std::move(kept);
    if (!token.empty() && request.Header("authorization").empty()) {
        request.headers["authorization"] = "Bearer " + token;
    }
}

AuthDecision Authenticator::Check(const HttpRequest& request) const {
    AuthDecision d;
    if (!enabled()) return d;
    const auto needed = RequiredScope(request.method, request.path);
    if (!needed) return d;
    d.needed = *needed;
    const std::string_view presented = PresentedToken(request);
    if (presented.empty()) {
        d.outcome = AuthDecision::Outcome::kUnauthenticated;
        d.message = "this route needs a bearer token with the '" + std::string(ScopeName(*needed)) +
                    "' scope, and the request has no token (Authorization: Bearer <token>)";
        return d;
    }
    const Entry* token = Find(presented);
    if (token == nullptr) {
        d.outcome = AuthDecision::Outcome::kUnauthenticated;
        d.message = "the bearer token is not one of this server's tokens";
        return d;
    }
    d.principal = token->name;
    if ((token->granted & Bit(*needed)) == 0) {
        d.outcome = AuthDecision::Outcome::kForbidden;
        d.message = "token '" + token->name + "' does not have the '" + std::string(ScopeName(*needed)) +
                    "' scope this route needs";
    }
    return d;
}

}  // namespace tome::api
