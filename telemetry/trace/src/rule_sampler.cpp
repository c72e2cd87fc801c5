#include "tome/telemetry/trace/rule_sampler.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace tome::telemetry::trace {
namespace {

// ---- evaluation -----------------------------------------------------------------------------

std::string_view KindName(SpanKind k) noexcept {
    switch (k) {
        case SpanKind::kInternal: return "internal";
        case SpanKind::kServer: return "server";
        case SpanKind::kClient: return "client";
        case SpanKind::kProducer: return "producer";
        case SpanKind::kConsumer: return "consumer";
    }
    return "";
}

// -1, 0, 1 for ordered comparisons; 2 for "not comparable".
constexpr int kIncomparable = 2;

int Compare(const AttributeView::Storage& v, const RuleLiteral& lit) noexcept {
    auto three_way = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
    if (const auto* s = std::get_if<std::string_view>(&v)) {
        if (const auto* ls = std::get_if<std::string>(&lit)) return three_way(*s, std::string_view(*ls));
        return kIncomparable;
    }
    if (const auto* b = std::get_if<bool>(&v)) {
        if (const auto* lb = std::get_if<bool>(&lit)) return *b == *lb ? 0 : kIncomparable + 1;
        return kIncomparable;
    }
    double x = 0;
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        if (const auto* li = std::get_if<std::int64_t>(&lit)) return three_way(*i, *li);
        x = static_cast<double>(*i);
    } else if (const auto* d = std::get_if<double>(&v)) {
        x = *d;
    } else {
        return kIncomparable;  // arrays are not compared
    }
    double y = 0;
    if (const auto* li = std::get_if<std::int64_t>(&lit)) {
        y = static_cast<double>(*li);
    } else if (const auto* ld = std::get_if<double>(&lit)) {
        y = *ld;
    } else {
        return kIncomparable;
    }
    if (std::isnan(x) || std::isnan(y)) return kIncomparable;
    return three_way(x, y);
}

bool Apply(CompareOp op, int c) noexcept {
    if (c == kIncomparable) return false;
    if (c == kIncomparable + 1) return op == CompareOp::kNe;  // bools that differ
    switch (op) {
        case CompareOp::kEq: return c == 0;
        case CompareOp::kNe: return c != 0;
        case CompareOp::kGt: return c > 0;
        case CompareOp::kGe: return c >= 0;
        case CompareOp::kLt: return c < 0;
        case CompareOp::kLe: return c <= 0;
        case CompareOp::kIn: return c == 0;
    }
    return false;
}

}  // namespace

bool Comparison::Matches(const SamplingParams& params) const noexcept {
    AttributeView::Storage value{false};
    switch (field) {
        case Field::kName: value = params.name; break;
        case Field::kKind: value = KindName(params.kind); break;
        case Field::kAttribute: {
            bool found = false;
            for (const auto& kv : params.attributes) {
                if (kv.key == attribute_key) {
                    value = kv.value.storage();
                    found = true;  // last one wins, as with SetAttribute
                }
            }
            if (!found) return false;
            break;
        }
    }
    if (op == CompareOp::kIn) {
        for (const auto& lit : values)
            if (Apply(CompareOp::kEq, Compare(value, lit))) return true;
        return false;
    }
    return !values.empty() && Apply(op, Compare(value, values.front()));
}

bool Condition::Matches(const SamplingParams& params) const noexcept {
    for (const auto& c : all_of)
        if (!c.Matches(params)) return false;
    return true;
}

namespace {

// ---- parsing --------------------------------------------------------------------------------

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    Error Fail(std::string_view what) const {
        return Error{"position " + std::to_string(pos_) + ": " + std::string(what)};
    }
    void SkipSpace() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }
    bool AtEnd() {
        SkipSpace();
        return pos_ >= text_.size();
    }
    bool Consume(std::string_view token) {
        SkipSpace();
        if (text_.substr(pos_, token.size()) != token) return false;
        pos_ += token.size();
        return true;
    }
    bool ConsumeWord(std::string_view word) {
        SkipSpace();
        if (text_.substr(pos_, word.size()) != word) return false;
        const std::size_t end = pos_ + word.size();
        if (end < text_.size() && IsWordChar(text_[end])) return false;
        pos_ = end;
        return true;
    }
    static bool IsWordChar(char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
               c == '-' || c == '/';
    }
    std::string_view Word() {
        SkipSpace();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
        return text_.substr(start, pos_ - start);
    }

    Result<RuleLiteral> Literal() {
        SkipSpace();
        if (pos_ >= text_.size()) return Fail("expected a value");
        const char c = text_[pos_];
        if (c == '"') {
            std::string s;
            ++pos_;
            while (pos_ < text_.size() && text_[pos_] != '"') {
                if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
                s.push_back(text_[pos_++]);
            }
            if (pos_ >= text_.size()) return Fail("unterminated string");
            ++pos_;
            return RuleLiteral(std::move(s));
        }
        if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) return Number();
        const std::size_t start = pos_;
        const std::string_view w = Word();
        if (w.empty()) {
            pos_ = start;
            return Fail("expected a value");
        }
        if (w == "true") return RuleLiteral(true);
        if (w == "false") return RuleLiteral(false);
        return RuleLiteral(std::string(w));
    }

    Result<RuleLiteral> Number() {
        SkipSpace();
        const std::size_t start = pos_;
        if (pos_ < text_.size() && text_[pos_] == '+') ++pos_;
        std::size_t end = pos_;
        bool is_double = false;
        while (end < text_.size()) {
            const char ch = text_[end];
            if (std::isdigit(static_cast<unsigned char>(ch)) || (ch == '-' && end == pos_)) {
                ++end;
            } else if (ch == '.' || ch == 'e' || ch == 'E' ||
                       ((ch == '-' || ch == '+') && (text_[end - 1] == 'e' || text_[end - 1] == 'E'))) {
                is_double = true;
                ++end;
            } else {
                break;
            }
        }
        const char* first = text_.data() + pos_;
        const char* last = text_.data() + end;
        if (!is_double) {
            std::int64_t v = 0;
            auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last) {
                pos_ = end;
                return RuleLiteral(v);
            }
        }
        double d = 0;
        auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc() || r.ptr != last || first == last) {
            pos_ = start;
            return Fail("bad number");
        }
        pos_ = end;
        return RuleLiteral(d);
    }

    Result<Comparison> ParseComparison() {
        Comparison c;
        SkipSpace();
        const std::size_t field_pos = pos_;
        const std::string_view field = Word();
        if (field.empty()) return Fail("expected a field (span.name, span.kind or an attribute)");
        if (field == "name" || field == "span.name") {
            c.field = Comparison::Field::kName;
        } else if (field == "kind" || field == "span.kind") {
            c.field = Comparison::Field::kKind;
        } else {
            c.field = Comparison::Field::kAttribute;
            c.attribute_key = std::string(field);
        }
        if (ConsumeWord("in")) {
            c.op = CompareOp::kIn;
            if (!Consume("[")) return Fail("expected '[' after 'in'");
            do {
                auto lit = Literal();
                if (!lit.ok()) return lit.error();
                c.values.push_back(std::move(lit).value());
            } while (Consume(","));
            if (!Consume("]")) return Fail("expected ',' or ']'");
        } else {
            SkipSpace();
            if (Consume("==")) c.op = CompareOp::kEq;
            else if (Consume("!=")) c.op = CompareOp::kNe;
            else if (Consume(">=")) c.op = CompareOp::kGe;
            else if (Consume("<=")) c.op = CompareOp::kLe;
            else if (Consume(">")) c.op = CompareOp::kGt;
            else if (Consume("<")) c.op = CompareOp::kLt;
            else return Fail("expected an operator (== != > >= < <= in)");
            auto lit = Literal();
            if (!lit.ok()) return lit.error();
            c.values.push_back(std::move(lit).value());
        }
        if (c.field == Comparison::Field::kKind) {
            for (auto& v : c.values) {
                auto* s = std::get_if<std::string>(&v);
                if (s == nullptr || (*s != "internal" && *s != "server" && *s != "client" &&
                                     *s != "producer" && *s != "consumer")) {
                    pos_ = field_pos;
                    return Fail("span.kind compares with internal, server, client, producer "
                                "or consumer");
                }
            }
        }
        return c;
    }

    Result<Condition> ParseCondition() {
        Condition cond;
        do {
            auto c = ParseComparison();
            if (!c.ok()) return c.error();
            cond.all_of.push_back(std::move(c).value());
        } while (ConsumeWord("and") || Consume("&&"));
        return cond;
    }

    Result<RuleBasedSamplerOptions> ParseRules() {
        RuleBasedSamplerOptions out;
        while (!AtEnd()) {
            bool fallback = false;
            Condition cond;
            if (Consume("*")) {
                fallback = true;
            } else {
                auto c = ParseCondition();
                if (!c.ok()) return c.error();
                cond = std::move(c).value();
            }
            if (!Consume("=>")) return Fail("expected '=>' and a rate");
            SkipSpace();
            const std::size_t rate_pos = pos_;
            auto rate = Number();
            if (!rate.ok()) return rate.error();
            const double r = std::visit(
                [](const auto& v) -> double {
                    using V = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<V, std::int64_t> || std::is_same_v<V, double>)
                        return static_cast<double>(v);
                    return -1;
                },
                rate.value());
            if (!(r >= 0.0 && r <= 1.0)) {
                pos_ = rate_pos;
                return Fail("rate must be between 0 and 1");
            }
            if (fallback) {
                out.fallback_rate = r;
            } else {
                out.rules.push_back({std::move(cond), r});
            }
            if (AtEnd()) break;
            if (!Consume(";")) return Fail("expected ';' between rules");
        }
        return out;
    }

    Result<Condition> ParseWholeCondition() {
        auto c = ParseCondition();
        if (!c.ok()) return c;
        if (!AtEnd()) return Fail("unexpected text after the condition");
        return c;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

class RuleBasedSampler final : public Sampler {
public:
    explicit RuleBasedSampler(RuleBasedSamplerOptions o) : fallback_rate_(o.fallback_rate) {
        for (auto& r : o.rules)
            rules_.push_back({std::move(r.condition), ProbabilityToThreshold(r.rate)});
        fallback_threshold_ = ProbabilityToThreshold(o.fallback_rate);
    }

    SamplingResult ShouldSample(const SamplingParams& p) const noexcept override {
        std::uint64_t threshold = fallback_threshold_;
        for (const auto& r : rules_) {
            if (r.condition.Matches(p)) {
                threshold = r.threshold;
                break;
            }
        }
        return {SampledByThreshold(p.trace_id, threshold) ? SamplingDecision::kRecordAndSample
                                                          : SamplingDecision::kDrop,
                {},
                std::nullopt};
    }
    std::string Description() const override {
        char buf[96];
        std::snprintf(buf, sizeof buf, "RuleBased{%zu rules,fallback=%.6f}", rules_.size(),
                      fallback_rate_);
        return buf;
    }

private:
    struct CompiledRule {
        Condition condition;
        std::uint64_t threshold;
    };
    std::vector<CompiledRule> rules_;
    double fallback_rate_;
    std::uint64_t fallback_threshold_ = 0;
};

}  // namespace

Result<Condition> Condition::Parse(std::string_view text) {
    return Parser(text).ParseWholeCondition();
}

Result<RuleBasedSamplerOptions> ParseSamplingRules(std::string_view text) {
    return Parser(text).ParseRules();
}

std::unique_ptr<Sampler> MakeRuleBasedSampler(RuleBasedSamplerOptions options) {
    return std::make_unique<RuleBasedSampler>(std::move(options));
}

}  // namespace tome::telemetry::trace
