#include "tome/telemetry/trace/span_context.hpp"

#include <vector>

namespace tome::telemetry::trace {
namespace {

bool IsLcAlpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) noexcept {
    return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

std::string_view TrimOws(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

struct Member {
    std::string_view key;
    std::string_view value;
};

// Splits a header into members; false on any invalid member.
bool SplitMembers(std::string_view header, std::vector<Member>& out) {
    std::size_t pos = 0;
    while (pos <= header.size()) {
        std::size_t comma = header.find(',', pos);
        if (comma == std::string_view::npos) comma = header.size();
        const std::string_view member = TrimOws(header.substr(pos, comma - pos));
        pos = comma + 1;
        if (member.empty()) continue;
        const std::size_t eq = member.find('=');
        if (eq == std::string_view::npos) return false;
        const Member m{member.substr(0, eq), member.substr(eq + 1)};
        if (!TraceState::IsValidKey(m.key) || !TraceState::IsValidValue(m.value)) return false;
        for (const auto& existing : out)
            if (existing.key == m.key) return false;
        out.push_back(m);
        if (out.size() > kMaxTraceStateMembers) return false;
    }
    return true;
}

std::string Join(const std::vector<Member>& members) {
    std::string s;
    for (const auto& m : members) {
        if (!s.empty()) s.push_back(',');
        s.append(m.key);
        s.push_back('=');
        s.append(m.value);
    }
    return s;
}

}  // namespace

TraceState::TraceState(std::string normalised)
    : header_(normalised.empty() ? nullptr
                                 : std::make_shared<const std::string>(std::move(normalised))) {}

bool TraceState::IsValidKey(std::string_view key) noexcept {
    // simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")
    // multi-tenant-key = tenant-id "@" system-id
    // tenant-id = (lcalpha / DIGIT) 0*240(...), system-id = lcalpha 0*13(...)
    if (key.empty() || key.size() > 256) return false;
    const std::size_t at = key.find('@');
    if (at == std::string_view::npos) {
        if (!IsLcAlpha(key[0])) return false;
        for (char c : key)
            if (!IsKeyChar(c)) return false;
        return true;
    }
    const std::string_view tenant = key.substr(0, at);
    const std::string_view system = key.substr(at + 1);
    if (tenant.empty() || tenant.size() > 241 || system.empty() || system.size() > 14)
        return false;
    if (!IsLcAlpha(tenant[0]) && !IsDigit(tenant[0])) return false;
    for (char c : tenant)
        if (!IsKeyChar(c)) return false;
    if (!IsLcAlpha(system[0])) return false;
    for (char c : system)
        if (!IsKeyChar(c)) return false;
    return true;
}

bool TraceState::IsValidValue(std::string_view value) noexcept {
    // value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr;
    // nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
    if (value.empty() || value.size() > 256) return false;
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
    }
    return value.back() != ' ';
}

std::optional<TraceState> TraceState::Parse(std::string_view header) {
    std::vector<Member> members;
    if (!SplitMembers(header, members)) return std::nullopt;
    return TraceState(Join(members));
}

std::optional<std::string_view> TraceState::Get(std::string_view key) const noexcept {
    std::string_view h = header();
    while (!h.empty()) {
        std::size_t comma = h.find(',');
        const std::string_view m = h.substr(0, comma);
        const std::size_t eq = m.find('=');
        if (m.substr(0, eq) == key) return m.substr(eq + 1);
        if (comma == std::string_view::npos) break;
        h.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

TraceState TraceState::Set(std::string_view key, std::string_view value) const {
    if (!IsValidKey(key) || !IsValidValue(value)) return *this;
    std::vector<Member> members;
    SplitMembers(header(), members);  // already valid
    std::vector<Member> out;
    out.push_back({key, value});
    for (const auto& m : members)
        if (m.key != key && out.size() < kMaxTraceStateMembers) out.push_back(m);
    return TraceState(Join(out));
}

TraceState TraceState::Delete(std::string_view key) const {
    std::vector<Member> members;
    SplitMembers(header(), members);
    std::vector<Member> out;
    for (const auto& m : members)
        if (m.key != key) out.push_back(m);
    return TraceState(Join(out));
}

}  // namespace tome::telemetry::trace
