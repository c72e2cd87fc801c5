#include "request_body.hpp"

#include <algorithm>
#include <cstdio>

#include "tome/telemetry/api/utf8.hpp"

namespace tome::api::internal {
namespace {

// "C3 28": the bytes of an ill-formed sequence, for a message that must itself be UTF-8.
std::string HexBytes(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%s%02X", out.empty() ? "" : " ",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += buf;
    }
    return out;
}

// The parser's reason without its prefixes and its "last read" echo, which may end inside a
// character: "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error
// while parsing value - invalid literal; last read: '...'" -> "syntax error while parsing value
// - invalid literal".
std::string ParserReason(std::string_view what) {
    if (what.rfind("[json.exception.", 0) == 0) {
        if (const auto end = what.find("] "); end != std::string_view::npos)
            what.remove_prefix(end + 2);
    }
    if (what.rfind("parse error", 0) == 0) {
        if (const auto colon = what.find(": "); colon != std::string_view::npos) {
            what.remove_prefix(colon + 2);
        }
    }
    if (const auto echo = what.find("; last read:"); echo != std::string_view::npos) {
        what = what.substr(0, echo);
    }
    return std::string(what);
}

// Up to about 16 bytes either side of `offset` in valid UTF-8 `text`, cut at character
// boundaries.
std::string Excerpt(std::string_view text, std::size_t offset) {
    constexpr std::size_t kSide = 16;
    std::size_t begin = offset > kSide ? offset - kSide : 0;
    while (begin < offset && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) ++begin;
    return std::string(
        telemetry::utf8::TruncateAtBoundary(text.substr(begin), offset - begin + kSide));
}

// nlohmann's DOM builder, with two changes: a parse error is recorded with its offset instead of
// thrown (the parser reports number overflow, "1e999", as out_of_range, which carries no
// offset), and nesting deeper than kMaxJsonDepth is refused (copying or writing such a value
// recurses once per level: a 1 MiB body of '[' would overflow a worker's stack).
class CheckedDomBuilder : public nlohmann::detail::json_sax_dom_parser<Json> {
  public:
    explicit CheckedDomBuilder(Json& result) : json_sax_dom_parser(result, false) {}

    bool start_object(std::size_t n) { return Enter() && json_sax_dom_parser::start_object(n); }
    bool start_array(std::size_t n) { return Enter() && json_sax_dom_parser::start_array(n); }
    bool end_object() { return Leave() && json_sax_dom_parser::end_object(); }
    bool end_array() { return Leave() && json_sax_dom_parser::end_array(); }

    template <class Exception>
    bool parse_error(std::size_t position, const std::string&, const Exception& e) {
        // `position` counts the bytes read, the offending one included.
        offset_ = position == 0 ? 0 : position - 1;
        error_ = ParserReason(e.what());
        return false;
    }

    const std::string& error() const { return error_; }
    std::size_t offset() const { return offset_; }

  private:
    bool Enter() {
        if (++depth_ <= kMaxJsonDepth) return true;
        error_ = "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels";
        // The SAX interface has no position: OffsetOfDepth finds it.
        offset_ = std::string_view::npos;
        return false;
    }
    bool Leave() {
        --depth_;
        return true;
    }

    std::size_t depth_ = 0;
    std::size_t offset_ = 0;
    std::string error_;
};

// Offset of the bracket that opens nesting level `depth` in JSON `text` (strings skipped).
std::size_t OffsetOfDepth(std::string_view text, std::size_t depth) {
    std::size_t level = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++level == depth) return i;
        } else if ((c == ']' || c == '}') && level > 0) {
            --level;
        }
    }
    return text.size();
}

}  // namespace

std::variant<Json, ApiError> ParseJsonText(std::string_view text) {
    const std::size_t bad = telemetry::utf8::FindInvalid(text);
    if (bad != text.size()) {
        const auto seq =
            telemetry::utf8::NextSequence(text.data() + bad, text.data() + text.size());
        return InvalidJson(bad, "the body is not UTF-8 (ill-formed sequence " +
                                    HexBytes(text.substr(bad, seq.length)) + ")");
    }
    Json result;
    CheckedDomBuilder builder(result);
    if (Json::sax_parse(text, &builder) && builder.error().empty()) return result;
    const std::size_t offset = builder.offset() == std::string_view::npos
                                   ? OffsetOfDepth(text, kMaxJsonDepth + 1)
                                   : std::min(builder.offset(), text.size());
    return InvalidJson(offset, builder.error() + "; near '" + Excerpt(text, offset) + "'");
}

Result<Json> BodyObject(Json* body, bool required) {
    if (body == nullptr) {
        if (required) return InvalidArgument("request body is empty; expected a JSON object");
        return Json::object();
    }
    if (!body->is_object()) {
        return InvalidArgument(std::string("request body must be a JSON object, got ") +
                               body->type_name());
    }
    return std::move(*body);
}

Result<std::string> RequireString(const Json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end()) return InvalidArgument(std::string("missing field '") + name + "'");
    if (!it->is_string()) {
        return InvalidArgument(std::string("field '") + name + "' must be a string, got " +
                               it->type_name());
    }
    if (it->get<std::string>().empty()) {
        return InvalidArgument(std::string("field '") + name + "' must not be empty");
    }
    return it->get<std::string>();
}

Result<std::vector<std::string>> RequireStringArray(const Json& body, const char* name,
                                                    std::size_t min_size) {
    auto it = body.find(name);
    if (it == body.end()) return InvalidArgument(std::string("missing field '") + name + "'");
    if (!it->is_array()) {
        return InvalidArgument(std::string("field '") + name + "' must be an array of strings");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const Json& v = (*it)[i];
        if (!v.is_string() || v.get<std::string>().empty()) {
            return InvalidArgument(std::string("field '") + name + "[" + std::to_string(i) +
                                   "]' must be a non-empty string");
        }
        out.push_back(v.get<std::string>());
    }
    if (out.size() < min_size) {
        return InvalidArgument(std::string("field '") + name + "' needs at least " +
                               std::to_string(min_size) + " entries, got " +
                               std::to_string(out.size()));
    }
    return out;
}

Status RejectUnknownFields(const Json& body, const std::vector<std::string>& allowed) {
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            return InvalidArgument("unknown field '" + it.key() + "' (expected: " + list + ")");
        }
    }
    return Status::Ok();
}

}  // namespace tome::api::internal
