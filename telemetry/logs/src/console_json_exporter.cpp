#include "tome/telemetry/logs/console_json_exporter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <ostream>

#include "tome/telemetry/api/json_writer.hpp"

namespace tome::telemetry::logs {
namespace {

constexpr std::string_view kReservedKeys[] = {"service.name", "trace.id", "span.id", "timestamp"};

void AppendQuoted(std::string_view text, std::string& out) { json::String(out, text); }

void AppendValue(const LogValue& value, std::string& out);

void AppendMembers(const std::vector<LogKeyValue>& kvs, bool skip_reserved, bool first,
                   std::string& out) {
    for (const auto& kv : kvs) {
        if (skip_reserved && std::find(std::begin(kReservedKeys), std::end(kReservedKeys),
                                       kv.key) != std::end(kReservedKeys))
            continue;
        if (!first) out.push_back(',');
        first = false;
        AppendQuoted(kv.key, out);
        out.push_back(':');
        AppendValue(kv.value, out);
    }
}

void AppendValue(const LogValue& value, std::string& out) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>) {
                out += "null";
            } else if constexpr (std::is_same_v<V, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<V, std::int64_t>) {
                char buf[24];
                out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
            } else if constexpr (std::is_same_v<V, double>) {
                if (!std::isfinite(v)) {
                    out += std::isnan(v) ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
                } else {
                    char buf[32];
                    out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
                }
            } else if constexpr (std::is_same_v<V, std::string>) {
                AppendQuoted(v, out);
            } else if constexpr (std::is_same_v<V, LogValue::Bytes>) {
                // Bytes have no JSON form: hex, like the ids.
                out.push_back('"');
                for (unsigned char c : v.data) {
                    static constexpr char kHex[] = "0123456789abcdef";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                }
                out.push_back('"');
            } else if constexpr (std::is_same_v<V, LogValue::Array>) {
                out.push_back('[');
                for (std::size_t i = 0; i < v.size(); ++i) {
                    if (i) out.push_back(',');
                    AppendValue(v[i], out);
                }
                out.push_back(']');
            } else {
                out.push_back('{');
                AppendMembers(v, false, true, out);
                out.push_back('}');
            }
        },
        value.value);
}

void AppendTimestamp(std::uint64_t unix_nano, std::string& out) {
    const auto secs = static_cast<std::time_t>(unix_nano / 1'000'000'000);
    const auto millis = static_cast<unsigned>((unix_nano / 1'000'000) % 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    out.append(buf, n);
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03uZ", millis);
    out += ms;
}

}  // namespace

void AppendJsonEscaped(std::string_view text, std::string& out) {
    json::AppendEscaped(out, text);
}

void FormatJsonLogLine(const LogRecord& r, std::string& out) {
    out += "{\"level\":\"";
    out += SeverityLevelName(r.severity);
    out += "\",\"message\":";
    if (const std::string* s = r.body.AsString()) {
        AppendQuoted(*s, out);
    } else if (r.body.empty()) {
        out += "\"\"";
    } else {
        std::string text;
        AppendValue(r.body, text);
        AppendQuoted(text, out);
    }
    out += ",\"attributes\":{";
    bool first = true;
    auto sep = [&] {
        if (!first) out.push_back(',');
        first = false;
    };
    if (r.resource) {
        if (const auto* v = r.resource->Find("service.name")) {
            if (const auto* name = std::get_if<std::string>(v)) {
                sep();
                out += "\"service.name\":";
                AppendQuoted(*name, out);
            }
        }
    }
    if (r.trace_id.IsValid()) {
        sep();
        out += "\"trace.id\":\"" + r.trace_id.ToHex() + "\"";
    }
    if (r.span_id.IsValid()) {
        sep();
        out += "\"span.id\":\"" + r.span_id.ToHex() + "\"";
    }
    const std::uint64_t ts = r.time_unix_nano ? r.time_unix_nano : r.observed_time_unix_nano;
    if (ts != 0) {
        sep();
        out += "\"timestamp\":\"";
        AppendTimestamp(ts, out);
        out += "\"";
    }
    AppendMembers(r.attributes, true, first, out);
    out += "}}\n";
}

ExportResult ConsoleJsonLogExporter::Export(std::span<const std::unique_ptr<LogRecord>> batch,
                                            Clock::time_point) noexcept {
    std::lock_guard lock(mu_);
    if (shut_down_) return ExportResult::kFailureNonRetryable;
    try {
        buffer_.clear();
        for (const auto& r : batch) {
            if (r) FormatJsonLogLine(*r, buffer_);
        }
        if (stream_ != nullptr) {
            stream_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
            stream_->flush();
            return stream_->good() ? ExportResult::kSuccess : ExportResult::kFailureRetryable;
        }
        if (file_ == nullptr) return ExportResult::kFailureNonRetryable;
        const bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size();
        std::fflush(file_);
        return ok ? ExportResult::kSuccess : ExportResult::kFailureRetryable;
    } catch (...) {
        return ExportResult::kFailureRetryable;
    }
}

bool ConsoleJsonLogExporter::Shutdown(std::chrono::milliseconds) noexcept {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    return true;
}

}  // namespace tome::telemetry::logs
