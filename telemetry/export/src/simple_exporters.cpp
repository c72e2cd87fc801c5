#include "tome/telemetry/export/simple_exporters.hpp"

#include "tome/telemetry/api/json_writer.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;

void InMemorySpanStore::Add(std::span<const std::unique_ptr<trace::SpanData>> batch) {
    std::lock_guard lock(mu_);
    for (const auto& s : batch)
        if (s) spans_.push_back(*s);
}

std::vector<trace::SpanData> InMemorySpanStore::Spans() const {
    std::lock_guard lock(mu_);
    return spans_;
}

std::size_t InMemorySpanStore::size() const {
    std::lock_guard lock(mu_);
    return spans_.size();
}

void InMemorySpanStore::Clear() {
    std::lock_guard lock(mu_);
    spans_.clear();
}

ExportResult InMemorySpanExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                          Clock::time_point) noexcept {
    if (shutdown_) return ExportResult::kFailureNonRetryable;
    try {
        store_->Add(batch);
        return ExportResult::kSuccess;
    } catch (...) {
        return ExportResult::kFailureNonRetryable;
    }
}

bool InMemorySpanExporter::Shutdown(std::chrono::milliseconds) noexcept {
    shutdown_ = true;
    return true;
}

namespace {

std::string_view KindName(trace::SpanKind k) {
    switch (k) {
        case trace::SpanKind::kInternal: return "internal";
        case trace::SpanKind::kServer: return "server";
        case trace::SpanKind::kClient: return "client";
        case trace::SpanKind::kProducer: return "producer";
        case trace::SpanKind::kConsumer: return "consumer";
    }
    return "unspecified";
}

void PlainValue(std::string& out, const trace::AttributeValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            auto scalar = [&](const auto& x) {
                using X = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<X, bool>) out += x ? "true" : "false";
                else if constexpr (std::is_same_v<X, std::int64_t>) json::Integer(out, x);
                else if constexpr (std::is_same_v<X, double>) json::Double(out, x);
                else json::String(out, x);
            };
            if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t> ||
                          std::is_same_v<V, double> || std::is_same_v<V, std::string>) {
                scalar(v);
            } else {
                out.push_back('[');
                bool first = true;
                for (const auto& item : v) {
                    if (!first) out.push_back(',');
                    first = false;
                    scalar(static_cast<const typename V::value_type&>(item));
                }
                out.push_back(']');
            }
        },
        value);
}

void PlainAttributes(std::string& out, const std::vector<trace::Attribute>& attrs) {
    out.push_back('{');
    for (std::size_t i = 0; i < attrs.size(); ++i) {
        if (i) out.push_back(',');
        json::Key(out, attrs[i].key);
        PlainValue(out, attrs[i].value);
    }
    out.push_back('}');
}

}  // namespace

std::string ConsoleSpanExporter::FormatSpan(const trace::SpanData& s) {
    std::string out;
    out += "{\"name\":";
    json::String(out, s.name);
    out += ",\"trace_id\":";
    json::Hex(out, s.context.trace_id.bytes.data(), 16);
    out += ",\"span_id\":";
    json::Hex(out, s.context.span_id.bytes.data(), 8);
    if (s.parent_span_id.IsValid()) {
        out += ",\"parent_span_id\":";
        json::Hex(out, s.parent_span_id.bytes.data(), 8);
    }
    out += ",\"trace_flags\":";
    json::Hex(out, &s.context.trace_flags, 1);
    out += ",\"kind\":";
    json::String(out, KindName(s.kind));
    out += ",\"start_unix_nano\":";
    json::Integer(out, s.start_unix_nano);
    out += ",\"end_unix_nano\":";
    json::Integer(out, s.end_unix_nano);
    out += ",\"status\":";
    json::String(out, s.status.code == trace::StatusCode::kOk      ? "ok"
                      : s.status.code == trace::StatusCode::kError ? "error"
                                                                   : "unset");
    if (!s.status.description.empty()) {
        out += ",\"status_description\":";
        json::String(out, s.status.description);
    }
    out += ",\"attributes\":";
    PlainAttributes(out, s.attributes);
    out += ",\"events\":[";
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        if (i) out.push_back(',');
        out += "{\"name\":";
        json::String(out, s.events[i].name);
        out += ",\"time_unix_nano\":";
        json::Integer(out, s.events[i].time_unix_nano);
        out += ",\"attributes\":";
        PlainAttributes(out, s.events[i].attributes);
        out.push_back('}');
    }
    out += "],\"links\":[";
    for (std::size_t i = 0; i < s.links.size(); ++i) {
        if (i) out.push_back(',');
        out += "{\"trace_id\":";
        json::Hex(out, s.links[i].context.trace_id.bytes.data(), 16);
        out += ",\"span_id\":";
        json::Hex(out, s.links[i].context.span_id.bytes.data(), 8);
        out += ",\"attributes\":";
        PlainAttributes(out, s.links[i].attributes);
        out.push_back('}');
    }
    out += "]";
    if (s.scope) {
        out += ",\"scope\":";
        json::String(out, s.scope->name);
    }
    if (s.resource) {
        if (const auto* sn = s.resource->Find("service.name")) {
            out += ",\"service.name\":";
            PlainValue(out, *sn);
        }
    }
    out.push_back('}');
    return out;
}

ExportResult ConsoleSpanExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                         Clock::time_point) noexcept {
    if (shutdown_) return ExportResult::kFailureNonRetryable;
    try {
        std::string text;
        for (const auto& s : batch) {
            if (!s) continue;
            text += FormatSpan(*s);
            text.push_back('\n');
        }
        if (std::fwrite(text.data(), 1, text.size(), out_) != text.size())
            return ExportResult::kFailureRetryable;
        std::fflush(out_);
        return ExportResult::kSuccess;
    } catch (...) {
        return ExportResult::kFailureNonRetryable;
    }
}

bool ConsoleSpanExporter::Shutdown(std::chrono::milliseconds) noexcept {
    shutdown_ = true;
    if (out_ != nullptr) std::fflush(out_);
    return true;
}

}  // namespace tome::telemetry::exporter
