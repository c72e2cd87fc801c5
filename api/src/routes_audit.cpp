// GET /api/audit: the audit trail, newest first, filtered by time range, who and target.
#include <ctime>
#include <iomanip>
#include <sstream>

#include "request_body.hpp"
#include "tome/api/proxy.hpp"

namespace tome::api {
namespace {

std::string PercentDecoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

/// A time filter: milliseconds since the epoch, or RFC 3339 UTC ("2026-12-06T05:00:00Z", with
/// optional fractional seconds).
Result<std::int64_t> ParseTime(const std::string& name, const std::string& text) {
    const auto bad = [&] {
        return InvalidArgument("query parameter '" + name + "' must be milliseconds since the epoch or "
                               "RFC 3339 UTC like 2026-12-06T05:00:00Z, got '" + text + "'");
    };
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() < 16) {
        return std::stoll(text);
    }
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) return bad();
    std::int64_t ms = 0;
    if (in.peek() == '.') {
        in.get();
        std::string digits;
        while (std::isdigit(in.peek())) digits.push_back(static_cast<char>(in.get()));
        if (digits.empty()) return bad();
        digits = (digits + "000").substr(0, 3);
        ms = std::stoi(digits);
    }
    std::string zone;
    in >> zone;
    if (zone != "Z") return bad();
    return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

Result<AuditQuery> ParseAuditQuery(const std::string& query) {
    AuditQuery q;
    std::size_t pos = 0;
    while (pos < query.size()) {
        const auto amp = query.find('&', pos);
        const std::string_view part(query.data() + pos,
                                    (amp == std::string::npos ? query.size() : amp) - pos);
        pos = amp == std::string::npos ? query.size() : amp + 1;
        if (part.empty()) continue;
        const auto eq = part.find('=');
        const std::string key = PercentDecoded(part.substr(0, eq));
        const std::string value = eq == std::string_view::npos ? std::string() : PercentDecoded(part.substr(eq + 1));
        if (key == "from" || key == "to") {
            auto t = ParseTime(key, value);
            if (!t.ok()) return t.status();
            (key == "from" ? q.from_unix_ms : q.to_unix_ms) = *t;
        } else if (key == "who") {
            q.who = value;
        } else if (key == "target") {
            q.target = value;
        } else if (key == "limit") {
            const bool digits = !value.empty() && value.size() < 8 &&
                                value.find_first_not_of("0123456789") == std::string::npos;
            const long n = digits ? std::stol(value) : 0;
            if (n < 1 || n > static_cast<long>(kMaxAuditQueryLimit)) {
                return InvalidArgument("query parameter 'limit' must be an integer from 1 to " +
                                       std::to_string(kMaxAuditQueryLimit) + ", got '" + value + "'");
            }
            q.limit = static_cast<std::size_t>(n);
        } else {
            return InvalidArgument("unknown query parameter '" + key +
                                   "' (expected from, to, who, target, limit)");
        }
    }
    if (q.from_unix_ms && q.to_unix_ms && *q.from_unix_ms > *q.to_unix_ms) {
        return InvalidArgument("query parameter 'from' is after 'to'");
    }
    return q;
}

}  // namespace

void Proxy::AddAuditRoutes() {
    router_.Add("GET", "/api/audit", "audit_query", [this](Call& call) -> Result<Reply> {
        auto query = ParseAuditQuery(call.request.query);
        if (!query.ok()) return query.status();
        auto records = audit_->QueryAudit(*query);
        if (!records.ok()) return records.status();
        Json list = Json::array();
        for (const auto& r : *records) list.push_back(ToJson(r));
        return Reply{200, {{"records", std::move(list)},
                           {"count", records->size()},
                           {"durable", services_.change_store != nullptr}}};
    });
}

}  // namespace tome::api
