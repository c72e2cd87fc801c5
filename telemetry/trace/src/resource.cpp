#include "tome/telemetry/trace/resource.hpp"

#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>

#include "tome/telemetry/api/ids.hpp"

namespace tome::telemetry::trace {
namespace {

void Upsert(std::vector<Attribute>& attrs, std::string key, AttributeValue value) {
    for (auto& a : attrs) {
        if (a.key == key) {
            a.value = std::move(value);
            return;
        }
    }
    attrs.push_back({std::move(key), std::move(value)});
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string ExecutableName() {
    std::array<char, PATH_MAX> buf{};
    const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) return {};
    std::string path(buf.data(), static_cast<std::size_t>(n));
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string HostName() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return {};
    return std::string(buf.data());
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Result<Resource> Resource::Merge(const Resource& updating) const {
    std::string schema = schema_url_;
    if (schema.empty()) {
        schema = updating.schema_url_;
    } else if (!updating.schema_url_.empty() && updating.schema_url_ != schema_url_) {
        return Error{"resource merge: schema URLs differ ('" + schema_url_ + "' vs '" +
                     updating.schema_url_ + "')"};
    }
    std::vector<Attribute> attrs = attributes_;
    for (const auto& a : updating.attributes_) Upsert(attrs, a.key, a.value);
    return Resource(std::move(attrs), std::move(schema));
}

std::optional<std::string> PercentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int hi = HexDigit(text[i + 1]);
        const int lo = HexDigit(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
    }
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueList(
    std::string_view text, std::string_view variable) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos) comma = text.size();
        const std::string_view item = Trim(text.substr(pos, comma - pos));
        const std::size_t item_pos = pos;
        pos = comma + 1;
        if (item.empty()) continue;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return Error{std::string(variable) + ": entry at position " +
                         std::to_string(item_pos) + " has no '='"};
        auto key = PercentDecode(Trim(item.substr(0, eq)));
        auto value = PercentDecode(Trim(item.substr(eq + 1)));
        if (!key || !value)
            return Error{std::string(variable) + ": bad percent-encoding in entry at position " +
                         std::to_string(item_pos)};
        if (key->empty())
            return Error{std::string(variable) + ": empty key at position " +
                         std::to_string(item_pos)};
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

std::string RandomUuidV4() {
    TraceId r = GenerateTraceId();
    r.bytes[6] = static_cast<std::uint8_t>((r.bytes[6] & 0x0F) | 0x40);
    r.bytes[8] = static_cast<std::uint8_t>((r.bytes[8] & 0x3F) | 0x80);
    const std::string hex = r.ToHex();
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<Resource> MakeResource(const ResourceOptions& options, const EnvLookup& env) {
    static const std::string kInstanceId = RandomUuidV4();
    std::vector<Attribute> attrs;
    const std::string exe = ExecutableName();
    Upsert(attrs, "service.name",
           exe.empty() ? std::string("unknown_service") : "unknown_service:" + exe);
    Upsert(attrs, "service.instance.id", kInstanceId);
    Upsert(attrs, "telemetry.sdk.name", std::string(kSdkName));
    Upsert(attrs, "telemetry.sdk.language", std::string(kSdkLanguage));
    Upsert(attrs, "telemetry.sdk.version", std::string(kSdkVersion));
    if (auto host = HostName(); !host.empty()) Upsert(attrs, "host.name", host);
    Upsert(attrs, "process.pid", static_cast<std::int64_t>(::getpid()));

    if (auto ra = GetNonEmpty(env, "OTEL_RESOURCE_ATTRIBUTES")) {
        auto parsed = ParseKeyValueList(*ra, "OTEL_RESOURCE_ATTRIBUTES");
        if (!parsed.ok()) return parsed.error();
        for (auto& [k, v] : parsed.value()) Upsert(attrs, k, v);
    }
    if (auto sn = GetNonEmpty(env, "OTEL_SERVICE_NAME")) Upsert(attrs, "service.name", *sn);

    if (!options.service_name.empty()) Upsert(attrs, "service.name", options.service_name);
    if (!options.service_version.empty())
        Upsert(attrs, "service.version", options.service_version);
    if (!options.deployment_environment.empty())
        Upsert(attrs, "deployment.environment.name", options.deployment_environment);
    if (!options.service_instance_id.empty())
        Upsert(attrs, "service.instance.id", options.service_instance_id);
    for (const auto& a : options.attributes) Upsert(attrs, a.key, a.value);
    return Resource(std::move(attrs));
}

}  // namespace tome::telemetry::trace
