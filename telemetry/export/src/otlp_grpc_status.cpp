// The gRPC-independent parts of the OTLP/gRPC transport: the retry table, google.rpc.RetryInfo
// decoding and endpoint parsing. Compiled with or without TOME_WITH_GRPC.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "tome/telemetry/export/otlp_grpc_transport.hpp"

namespace tome::telemetry::exporter {
namespace {

bool ReadVarint(std::string_view& in, std::uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in.empty()) return false;
        const auto b = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

bool ReadBytes(std::string_view& in, std::string_view& out) noexcept {
    std::uint64_t len = 0;
    if (!ReadVarint(in, len) || len > in.size()) return false;
    out = in.substr(0, len);
    in.remove_prefix(len);
    return true;
}

bool SkipField(std::string_view& in, std::uint64_t wire_type) noexcept {
    std::uint64_t v = 0;
    std::string_view bytes;
    switch (wire_type) {
        case 0: return ReadVarint(in, v);
        case 1: if (in.size() < 8) return false; in.remove_prefix(8); return true;
        case 2: return ReadBytes(in, bytes);
        case 5: if (in.size() < 4) return false; in.remove_prefix(4); return true;
        default: return false;
    }
}

// google.protobuf.Duration{int64 seconds = 1; int32 nanos = 2}.
std::optional<std::chrono::nanoseconds> DecodeDuration(std::string_view in) noexcept {
    std::int64_t seconds = 0;
    std::int64_t nanos = 0;
    while (!in.empty()) {
        std::uint64_t tag = 0;
        if (!ReadVarint(in, tag)) return std::nullopt;
        if (tag == ((1 << 3) | 0) || tag == ((2 << 3) | 0)) {
            std::uint64_t v = 0;
            if (!ReadVarint(in, v)) return std::nullopt;
            if (tag >> 3 == 1) seconds = static_cast<std::int64_t>(v);
            else nanos = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        } else if (!SkipField(in, tag & 7)) {
            return std::nullopt;
        }
    }
    constexpr std::int64_t kMaxSeconds = 3600;
    if (seconds < 0 || (seconds == 0 && nanos < 0)) return std::chrono::nanoseconds(0);
    if (seconds >= kMaxSeconds) return std::chrono::seconds(kMaxSeconds);
    return std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos);
}

// google.rpc.RetryInfo{Duration retry_delay = 1}. A RetryInfo without a delay means 0.
std::optional<std::chrono::nanoseconds> DecodeRetryInfo(std::string_view in) noexcept {
    std::optional<std::chrono::nanoseconds> delay = std::chrono::nanoseconds(0);
    while (!in.empty()) {
        std::uint64_t tag = 0;
        if (!ReadVarint(in, tag)) return std::nullopt;
        if (tag == ((1 << 3) | 2)) {
            std::string_view d;
            if (!ReadBytes(in, d)) return std::nullopt;
            delay = DecodeDuration(d);
            if (!delay) return std::nullopt;
        } else if (!SkipField(in, tag & 7)) {
            return std::nullopt;
        }
    }
    return delay;
}

bool ValidPort(std::string_view p) noexcept {
    unsigned port = 0;
    auto r = std::from_chars(p.data(), p.data() + p.size(), port);
    return !p.empty() && r.ec == std::errc() && r.ptr == p.data() + p.size() && port > 0 &&
           port <= 65535;
}

}  // namespace

bool IsRetryableGrpcCode(int code, bool has_retry_info) noexcept {
    switch (code) {
        case 1:   // CANCELLED
        case 4:   // DEADLINE_EXCEEDED
        case 10:  // ABORTED
        case 11:  // OUT_OF_RANGE
        case 14:  // UNAVAILABLE
        case 15:  // DATA_LOSS
            return true;
        case 8:  // RESOURCE_EXHAUSTED
            return has_retry_info;
        default:
            return false;
    }
}

std::optional<std::chrono::nanoseconds> DecodeGrpcRetryDelay(std::string_view in) noexcept {
    // google.rpc.Status{int32 code = 1; string message = 2; repeated Any details = 3}.
    constexpr std::string_view kRetryInfo = "/google.rpc.RetryInfo";
    std::optional<std::chrono::nanoseconds> found;
    while (!in.empty()) {
        std::uint64_t tag = 0;
        if (!ReadVarint(in, tag)) return std::nullopt;
        if (tag != ((3 << 3) | 2)) {
            if (!SkipField(in, tag & 7)) return std::nullopt;
            continue;
        }
        std::string_view any;
        if (!ReadBytes(in, any)) return std::nullopt;
        // google.protobuf.Any{string type_url = 1; bytes value = 2}.
        std::string_view type_url;
        std::string_view value;
        while (!any.empty()) {
            std::uint64_t t = 0;
            if (!ReadVarint(any, t)) return std::nullopt;
            if (t == ((1 << 3) | 2)) {
                if (!ReadBytes(any, type_url)) return std::nullopt;
            } else if (t == ((2 << 3) | 2)) {
                if (!ReadBytes(any, value)) return std::nullopt;
            } else if (!SkipField(any, t & 7)) {
                return std::nullopt;
            }
        }
        if (type_url.ends_with(kRetryInfo) && !found) found = DecodeRetryInfo(value);
    }
    return found;
}

Result<GrpcTarget> ParseGrpcEndpoint(std::string_view endpoint, bool insecure) {
    auto bad = [&](std::string_view why) {
        return Error{"OTLP gRPC endpoint '" + std::string(endpoint) + "': " + std::string(why)};
    };
    GrpcTarget t;
    std::string_view rest = endpoint;
    std::string_view default_port = "4317";
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
        t.tls = false;
        default_port = "80";
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        t.tls = true;
        default_port = "443";
    } else if (rest.find("://") != std::string_view::npos) {
        return bad("expected http://, https:// or host:port");
    } else {
        t.tls = !insecure;
    }
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (slash + 1 != rest.size()) return bad("a gRPC endpoint has no path");
        rest.remove_suffix(1);
    }
    if (rest.empty()) return bad("no host");
    std::string_view host = rest;
    std::string_view port;
    if (rest.front() == '[') {  // [v6]:port
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
        host = rest.substr(0, close + 1);
        const std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("junk after IPv6 literal");
            port = after.substr(1);
            if (!ValidPort(port)) return bad("invalid port");
        }
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (!ValidPort(port)) return bad("invalid port");
    }
    if (host.empty() || host == "[]") return bad("no host");
    const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
               c == '[' || c == ']' || c == ':' || c == '%';
    });
    if (!host_ok) return bad("invalid host");
    t.authority = std::string(host) + ":" + std::string(port.empty() ? default_port : port);
    return t;
}

}  // namespace tome::telemetry::exporter
