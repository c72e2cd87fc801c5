#include "tome/telemetry/trace/propagation.hpp"

#include <algorithm>
#include <cctype>

#include "tome/telemetry/api/utf8.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::trace {
namespace {

constexpr std::string_view kTraceParent = "traceparent";
constexpr std::string_view kTraceState = "tracestate";
constexpr std::string_view kBaggage = "baggage";

std::string Lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view TrimOws(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

int LowerHex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool IsTchar(char c) noexcept {
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

bool IsToken(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar);
}

// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
bool IsBaggageOctet(unsigned char c) noexcept {
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

std::string PercentEncodeValue(std::string_view v) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(v.size());
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (IsBaggageOctet(c) && c != '%') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

class TraceContextPropagator final : public TextMapPropagator {
public:
    void Inject(const Context& context, TextMapCarrier& carrier) const noexcept override {
        const SpanContext& sc = context.span_context;
        if (!sc.IsValid()) return;
        char buf[55];
        buf[0] = '0';
        buf[1] = '0';
        buf[2] = '-';
        HexEncode(sc.trace_id.bytes.data(), 16, buf + 3);
        buf[35] = '-';
        HexEncode(sc.span_id.bytes.data(), 8, buf + 36);
        buf[52] = '-';
        HexEncode(&sc.trace_flags, 1, buf + 53);
        carrier.Set(kTraceParent, std::string_view(buf, sizeof buf));
        if (!sc.trace_state.empty()) carrier.Set(kTraceState, sc.trace_state.header());
    }

    Context Extract(const TextMapCarrier& carrier, const Context& base) const noexcept override {
        const auto tp = carrier.Get(kTraceParent);
        if (!tp) return base;
        auto sc = ParseTraceParent(*tp);
        if (!sc) return base;
        try {
            if (const auto ts = carrier.Get(kTraceState)) {
                if (auto parsed = TraceState::Parse(*ts)) sc->trace_state = std::move(*parsed);
            }
            return base.WithSpanContext(std::move(*sc));
        } catch (...) {
            return base;
        }
    }

    std::vector<std::string> Fields() const override {
        return {std::string(kTraceParent), std::string(kTraceState)};
    }
};

class BaggagePropagator final : public TextMapPropagator {
public:
    void Inject(const Context& context, TextMapCarrier& carrier) const noexcept override {
        if (context.baggage.empty()) return;
        try {
            const std::string header = FormatBaggage(context.baggage);
            if (!header.empty()) carrier.Set(kBaggage, header);
        } catch (...) {
        }
    }
    Context Extract(const TextMapCarrier& carrier, const Context& base) const noexcept override {
        const auto h = carrier.Get(kBaggage);
        if (!h) return base;
        try {
            Baggage b = ParseBaggage(*h);
            if (b.empty()) return base;
            return base.WithBaggage(std::move(b));
        } catch (...) {
            return base;
        }
    }
    std::vector<std::string> Fields() const override { return {std::string(kBaggage)}; }
};

class CompositePropagator final : public TextMapPropagator {
public:
    explicit CompositePropagator(std::vector<std::unique_ptr<TextMapPropagator>> p)
        : propagators_(std::move(p)) {
        std::erase(propagators_, nullptr);
    }
    void Inject(const Context& context, TextMapCarrier& carrier) const noexcept override {
        for (const auto& p : propagators_) p->Inject(context, carrier);
    }
    Context Extract(const TextMapCarrier& carrier, const Context& base) const noexcept override {
        Context c = base;
        for (const auto& p : propagators_) c = p->Extract(carrier, c);
        return c;
    }
    std::vector<std::string> Fields() const override {
        std::vector<std::string> out;
        for (const auto& p : propagators_)
            for (auto& f : p->Fields()) out.push_back(std::move(f));
        return out;
    }

private:
    std::vector<std::unique_ptr<TextMapPropagator>> propagators_;
};

}  // namespace

std::optional<std::string_view> MapCarrier::Get(std::string_view key) const noexcept {
    try {
        auto it = headers.find(Lower(key));
        if (it == headers.end()) return std::nullopt;
        return std::string_view(it->second);
    } catch (...) {
        return std::nullopt;
    }
}

void MapCarrier::Set(std::string_view key, std::string_view value) noexcept {
    try {
        headers[Lower(key)] = std::string(value);
    } catch (...) {
    }
}

std::optional<SpanContext> ParseTraceParent(std::string_view value) noexcept {
    value = TrimOws(value);
    if (value.size() < 55) return std::nullopt;
    const int v_hi = LowerHex(value[0]);
    const int v_lo = LowerHex(value[1]);
    if (v_hi < 0 || v_lo < 0) return std::nullopt;
    const int version = (v_hi << 4) | v_lo;
    if (version == 0xff) return std::nullopt;
    if (version == 0 && value.size() != 55) return std::nullopt;
    // Future versions: parse the version-00 prefix; anything after it must start with '-'.
    if (value.size() > 55 && value[55] != '-') return std::nullopt;
    if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
    auto trace_id = TraceId::FromHex(value.substr(3, 32));
    auto span_id = SpanId::FromHex(value.substr(36, 16));
    const int f_hi = LowerHex(value[53]);
    const int f_lo = LowerHex(value[54]);
    if (!trace_id || !span_id || f_hi < 0 || f_lo < 0) return std::nullopt;
    if (!trace_id->IsValid() || !span_id->IsValid()) return std::nullopt;
    SpanContext sc;
    sc.trace_id = *trace_id;
    sc.span_id = *span_id;
    sc.trace_flags = static_cast<std::uint8_t>((f_hi << 4) | f_lo);
    sc.is_remote = true;
    return sc;
}

std::string FormatTraceParent(const SpanContext& context) {
    std::string out(55, '-');
    out[0] = '0';
    out[1] = '0';
    HexEncode(context.trace_id.bytes.data(), 16, out.data() + 3);
    HexEncode(context.span_id.bytes.data(), 8, out.data() + 36);
    HexEncode(&context.trace_flags, 1, out.data() + 53);
    return out;
}

Baggage ParseBaggage(std::string_view header) {
    Baggage out;
    std::size_t bytes = 0;
    std::size_t pos = 0;
    while (pos <= header.size() && out.size() < kMaxBaggageMembers) {
        std::size_t comma = header.find(',', pos);
        if (comma == std::string_view::npos) comma = header.size();
        const std::string_view member = TrimOws(header.substr(pos, comma - pos));
        pos = comma + 1;
        if (member.empty()) continue;
        bytes += member.size() + (bytes == 0 ? 0 : 1);
        if (bytes > kMaxBaggageBytes) break;
        const std::size_t semi = member.find(';');
        const std::string_view kv = TrimOws(member.substr(0, semi));
        const std::string_view metadata =
            semi == std::string_view::npos ? std::string_view() : TrimOws(member.substr(semi + 1));
        const std::size_t eq = kv.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = TrimOws(kv.substr(0, eq));
        const std::string_view raw = TrimOws(kv.substr(eq + 1));
        if (!IsToken(key)) continue;
        bool ok = true;
        for (char c : raw) ok = ok && IsBaggageOctet(static_cast<unsigned char>(c));
        if (!ok) continue;
        auto value = PercentDecode(raw);
        if (!value) continue;
        // W3C baggage: decoded octets that are not UTF-8 become U+FFFD.
        if (!utf8::IsValid(*value)) *value = utf8::Sanitized(*value);
        out = out.Set(key, *value, metadata);
    }
    return out;
}

std::string FormatBaggage(const Baggage& baggage) {
    std::string out;
    std::size_t members = 0;
    for (const auto& e : baggage.entries()) {
        if (!IsToken(e.key)) continue;
        std::string member = e.key + "=" + PercentEncodeValue(e.value);
        if (!e.metadata.empty()) member += ";" + e.metadata;
        const std::size_t extra = member.size() + (out.empty() ? 0 : 1);
        if (out.size() + extra > kMaxBaggageBytes || members == kMaxBaggageMembers) continue;
        if (!out.empty()) out.push_back(',');
        out += member;
        ++members;
    }
    return out;
}

std::unique_ptr<TextMapPropagator> MakeTraceContextPropagator() {
    return std::make_unique<TraceContextPropagator>();
}
std::unique_ptr<TextMapPropagator> MakeBaggagePropagator() {
    return std::make_unique<BaggagePropagator>();
}
std::unique_ptr<TextMapPropagator> MakeCompositePropagator(
    std::vector<std::unique_ptr<TextMapPropagator>> propagators) {
    return std::make_unique<CompositePropagator>(std::move(propagators));
}

std::unique_ptr<TextMapPropagator> MakeW3cPropagator() {
    std::vector<std::unique_ptr<TextMapPropagator>> parts;
    parts.push_back(MakeTraceContextPropagator());
    parts.push_back(MakeBaggagePropagator());
    return MakeCompositePropagator(std::move(parts));
}

PropagatorFromEnv MakePropagatorFromEnv(const EnvLookup& env) {
    PropagatorFromEnv out;
    const std::string value = GetNonEmpty(env, "OTEL_PROPAGATORS").value_or("tracecontext,baggage");
    std::vector<std::string> names;
    std::size_t pos = 0;
    while (pos <= value.size()) {
        std::size_t comma = value.find(',', pos);
        if (comma == std::string::npos) comma = value.size();
        std::string name = Lower(TrimOws(std::string_view(value).substr(pos, comma - pos)));
        pos = comma + 1;
        if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) continue;
        names.push_back(std::move(name));
    }
    std::vector<std::unique_ptr<TextMapPropagator>> list;
    const bool none = std::find(names.begin(), names.end(), "none") != names.end();
    for (const auto& n : names) {
        if (n == "none") continue;
        if (none) {
            out.warnings.push_back("OTEL_PROPAGATORS: '" + n + "' ignored because 'none' is set");
        } else if (n == "tracecontext") {
            list.push_back(MakeTraceContextPropagator());
        } else if (n == "baggage") {
            list.push_back(MakeBaggagePropagator());
        } else if (n == "b3" || n == "b3multi" || n == "jaeger" || n == "xray" ||
                   n == "ottrace") {
            out.warnings.push_back("OTEL_PROPAGATORS: '" + n + "' is not supported by tome");
        } else {
            out.warnings.push_back("OTEL_PROPAGATORS: unknown propagator '" + n + "'");
        }
    }
    out.propagator = MakeCompositePropagator(std::move(list));
    return out;
}

}  // namespace tome::telemetry::trace
