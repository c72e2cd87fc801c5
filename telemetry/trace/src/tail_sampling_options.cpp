#include "tome/telemetry/trace/tail_sampling_options.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <variant>

namespace tome::telemetry::trace {
namespace {

// A minimal JSON reader (RFC 8259 subset: no \u escapes beyond ASCII), enough for an options
// object. The trace layer may not depend on a JSON library.
struct Json;
using JsonObject = std::vector<std::pair<std::string, Json>>;
using JsonArray = std::vector<Json>;
struct Json {
    std::variant<std::nullptr_t, bool, double, std::string, JsonArray, JsonObject> v;
};

class JsonReader {
public:
    explicit JsonReader(std::string_view text) : text_(text) {}

    Result<Json> Document() {
        auto v = Value(0);
        if (!v.ok()) return v;
        SkipSpace();
        if (pos_ != text_.size()) return Fail("unexpected text after the JSON value");
        return v;
    }

private:
    Error Fail(std::string_view what) const {
        return Error{"JSON position " + std::to_string(pos_) + ": " + std::string(what)};
    }
    void SkipSpace() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }
    bool Eat(char c) {
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool Word(std::string_view w) {
        if (text_.substr(pos_, w.size()) != w) return false;
        pos_ += w.size();
        return true;
    }

    Result<Json> Value(int depth) {
        if (depth > 16) return Fail("nested too deeply");
        SkipSpace();
        if (pos_ >= text_.size()) return Fail("expected a value");
        const char c = text_[pos_];
        if (c == '{') return Object(depth);
        if (c == '[') return Array(depth);
        if (c == '"') {
            auto s = String();
            if (!s.ok()) return s.error();
            return Json{std::move(s).value()};
        }
        if (Word("true")) return Json{true};
        if (Word("false")) return Json{false};
        if (Word("null")) return Json{nullptr};
        double d = 0;
        const char* first = text_.data() + pos_;
        const auto r = std::from_chars(first, text_.data() + text_.size(), d);
        if (r.ec != std::errc() || r.ptr == first) return Fail("expected a value");
        pos_ += static_cast<std::size_t>(r.ptr - first);
        return Json{d};
    }

    Result<std::string> String() {
        SkipSpace();
        if (!Eat('"')) return Fail("expected a string");
        std::string out;
        while (pos_ < text_.size() && text_[pos_] != '"') {
            char c = text_[pos_++];
            if (c == '\\') {
                if (pos_ >= text_.size()) break;
                const char e = text_[pos_++];
                switch (e) {
                    case 'n': c = '\n'; break;
                    case 't': c = '\t'; break;
                    case 'r': c = '\r'; break;
                    case 'b': c = '\b'; break;
                    case 'f': c = '\f'; break;
                    case '"': case '\\': case '/': c = e; break;
                    default: return Fail("unsupported escape in a string");
                }
            }
            out.push_back(c);
        }
        if (!Eat('"')) return Fail("unterminated string");
        return out;
    }

    Result<Json> Array(int depth) {
        Eat('[');
        JsonArray out;
        if (Eat(']')) return Json{std::move(out)};
        do {
            auto v = Value(depth + 1);
            if (!v.ok()) return v;
            out.push_back(std::move(v).value());
        } while (Eat(','));
        if (!Eat(']')) return Fail("expected ',' or ']'");
        return Json{std::move(out)};
    }

    Result<Json> Object(int depth) {
        Eat('{');
        JsonObject out;
        if (Eat('}')) return Json{std::move(out)};
        do {
            auto key = String();
            if (!key.ok()) return key.error();
            if (!Eat(':')) return Fail("expected ':'");
            auto v = Value(depth + 1);
            if (!v.ok()) return v;
            out.emplace_back(std::move(key).value(), std::move(v).value());
        } while (Eat(','));
        if (!Eat('}')) return Fail("expected ',' or '}'");
        return Json{std::move(out)};
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

Result<double> Rate(const Json& j, const std::string& key) {
    const auto* d = std::get_if<double>(&j.v);
    if (d == nullptr || !(*d >= 0.0 && *d <= 1.0))
        return Error{"'" + key + "' must be a number between 0 and 1"};
    return *d;
}

Result<std::size_t> Count(const Json& j, const std::string& key) {
    const auto* d = std::get_if<double>(&j.v);
    if (d == nullptr || !(*d >= 0.0) || std::floor(*d) != *d || *d > 1e15)
        return Error{"'" + key + "' must be a non-negative integer"};
    return static_cast<std::size_t>(*d);
}

Result<TailSamplingRule> Rule(const Json& j, std::size_t index) {
    const std::string where = "customRules[" + std::to_string(index) + "]";
    const auto* obj = std::get_if<JsonObject>(&j.v);
    if (obj == nullptr) return Error{"'" + where + "' must be an object {condition, rate}"};
    TailSamplingRule rule;
    bool has_condition = false;
    for (const auto& [key, value] : *obj) {
        if (key == "condition") {
            const auto* s = std::get_if<std::string>(&value.v);
            if (s == nullptr) return Error{"'" + where + ".condition' must be a string"};
            auto cond = Condition::Parse(*s);
            if (!cond.ok()) return Error{"'" + where + ".condition': " + cond.message()};
            rule.condition = std::move(cond).value();
            rule.text = *s;
            has_condition = true;
        } else if (key == "rate") {
            auto r = Rate(value, where + ".rate");
            if (!r.ok()) return r.error();
            rule.rate = r.value();
        } else {
            return Error{"unknown key '" + where + "." + key + "'"};
        }
    }
    if (!has_condition) return Error{"'" + where + "' has no 'condition'"};
    return rule;
}

}  // namespace

Result<TailSamplingOptions> ParseTailSamplingOptions(std::string_view json_text) {
    auto doc = JsonReader(json_text).Document();
    if (!doc.ok()) return doc.error();
    const auto* obj = std::get_if<JsonObject>(&doc.value().v);
    if (obj == nullptr) return Error{"tail sampling options must be a JSON object"};

    TailSamplingOptions o;
    const std::map<std::string, double*, std::less<>> rates = {
        {"errorSamplingRate", &o.error_sampling_rate},
        {"normalSamplingRate", &o.normal_sampling_rate},
        {"highValueSamplingRate", &o.high_value_sampling_rate}};
    const std::map<std::string, std::size_t*, std::less<>> counts = {
        {"maxTraces", &o.max_traces},
        {"maxSpansPerTrace", &o.max_spans_per_trace},
        {"keptCacheSize", &o.kept_cache_size}};
    const std::map<std::string, std::chrono::milliseconds*, std::less<>> durations = {
        {"latencyThresholdMs", &o.latency_threshold},
        {"decisionTimeoutMs", &o.decision_timeout}};

    for (const auto& [key, value] : *obj) {
        if (auto it = rates.find(key); it != rates.end()) {
            auto r = Rate(value, key);
            if (!r.ok()) return r.error();
            *it->second = r.value();
        } else if (auto c = counts.find(key); c != counts.end()) {
            auto n = Count(value, key);
            if (!n.ok()) return n.error();
            *c->second = n.value();
        } else if (auto d = durations.find(key); d != durations.end()) {
            auto n = Count(value, key);
            if (!n.ok()) return n.error();
            *d->second = std::chrono::milliseconds(static_cast<std::int64_t>(n.value()));
        } else if (key == "customRules") {
            const auto* arr = std::get_if<JsonArray>(&value.v);
            if (arr == nullptr) return Error{"'customRules' must be an array"};
            for (std::size_t i = 0; i < arr->size(); ++i) {
                auto rule = Rule((*arr)[i], i);
                if (!rule.ok()) return rule.error();
                o.custom_rules.push_back(std::move(rule).value());
            }
        } else {
            return Error{"unknown key '" + key + "'"};
        }
    }
    if (o.max_traces == 0) return Error{"'maxTraces' must be at least 1"};
    if (o.max_spans_per_trace == 0) return Error{"'maxSpansPerTrace' must be at least 1"};
    return o;
}

}  // namespace tome::telemetry::trace
