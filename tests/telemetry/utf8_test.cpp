// utf8.hpp: the validator (Unicode Table 3-7), the U+FFFD substitution of maximal subparts
// (Unicode §3.9, Table 3-8; the WHATWG decoder) and truncation at a character boundary; and
// json::String, the JSON writer built on them.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tome/telemetry/api/json_writer.hpp"
#include "tome/telemetry/api/utf8.hpp"

namespace tome::telemetry::utf8 {
namespace {

const std::string kFffd(kReplacement);

// The number of U+FFFD in `s`.
std::size_t Replacements(const std::string& s) {
    std::size_t n = 0;
    for (auto at = s.find(kFffd); at != std::string::npos; at = s.find(kFffd, at + 3)) ++n;
    return n;
}

TEST(Utf8, AcceptsWellFormedTextIncludingNulAndTheEdgesOfEachRange) {
    const std::string valid[] = {
        "",
        "plain ascii",
        std::string("nul \0 inside", 12),
        "\x7F",
        "\xC2\x80",          // U+0080, the first two-byte character
        "\xDF\xBF",          // U+07FF
        "\xE0\xA0\x80",      // U+0800, the first three-byte character
        "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
        "\xEE\x80\x80",      // U+E000, just above them
        "\xEF\xBF\xBF",      // U+FFFF
        "\xF0\x90\x80\x80",  // U+10000, the first four-byte character
        "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last code point
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87",
    };
    for (const std::string& s : valid) {
        EXPECT_TRUE(IsValid(s)) << s;
        EXPECT_EQ(FindInvalid(s), s.size()) << s;
        EXPECT_EQ(Sanitized(s), s);
    }
}

TEST(Utf8, RejectsOverlongsSurrogatesOutOfRangeAndTruncatedSequences) {
    struct Case {
        const char* name;
        std::string bytes;
    };
    const Case invalid[] = {
        {"overlong NUL C0 80", "\xC0\x80"},
        {"overlong C1 BF", "\xC1\xBF"},
        {"overlong three-byte E0 80 80", "\xE0\x80\x80"},
        {"overlong three-byte E0 9F BF", "\xE0\x9F\xBF"},
        {"overlong four-byte F0 80 80 80", "\xF0\x80\x80\x80"},
        {"overlong four-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF"},
        {"surrogate U+D800", "\xED\xA0\x80"},
        {"surrogate U+DFFF", "\xED\xBF\xBF"},
        {"past U+10FFFF", "\xF4\x90\x80\x80"},
        {"F5 lead", "\xF5\x80\x80\x80"},
        {"FF", "\xFF"},
        {"FE", "\xFE"},
        {"lone continuation", "\x80"},
        {"truncated two-byte", "\xC3"},
        {"truncated three-byte", "\xE2\x82"},
        {"truncated four-byte", "\xF0\x9F\x98"},
        {"lead then ASCII", "\xC3("},
    };
    for (const Case& c : invalid) {
        EXPECT_FALSE(IsValid(c.bytes)) << c.name;
        EXPECT_EQ(FindInvalid(c.bytes), 0u) << c.name;
        EXPECT_TRUE(IsValid(Sanitized(c.bytes))) << c.name;
    }
}

TEST(Utf8, FindsTheOffsetOfTheFirstBadByteOnEitherSideOfTheEightByteFastPath) {
    for (std::size_t at = 0; at < 40; ++at) {
        std::string s(48, 'a');
        s[at] = '\xFF';
        EXPECT_EQ(FindInvalid(s), at);
        // A valid multibyte character before the bad one changes nothing.
        std::string t = std::string(at, 'b') + "\xC3\xA9" + std::string(9, 'c') + "\xE2\x82";
        EXPECT_EQ(FindInvalid(t), at + 2 + 9) << at;
    }
}

TEST(Utf8, ReplacesEachMaximalSubpartWithOneReplacementCharacter) {
    struct Case {
        std::string in;
        std::string out;
    };
    const std::string r = kFffd;
    const Case cases[] = {
        // Unicode 15 Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
        {"a\xF1\x80\x80\xE1\x80\xC2"
         "b\x80"
         "c\x80\xBF"
         "d",
         "a" + r + r + r + "b" + r + "c" + r + r + "d"},
        // Overlongs and surrogates: no prefix of them is a prefix of a valid sequence, so
        // every byte is replaced on its own.
        {"\xC0\xAF", r + r},
        {"\xE0\x80\xAF", r + r + r},
        {"\xED\xA0\x80", r + r + r},
        {"\xF4\x90\x80\x80", r + r + r + r},
        {"\xF8\x88\x80\x80\x80", r + r + r + r + r},
        // A truncated sequence is one maximal subpart: one replacement.
        {"\xE2\x82", r},
        {"\xF0\x9F\x98", r},
        {"x\xF0\x9F\x98y", "x" + r + "y"},
        {"\xF0\x9F\x98\xF0\x9F\x98\x80", r + "\xF0\x9F\x98\x80"},
        {"\xC3\xC3\xA9", r + "\xC3\xA9"},
        // What the issue saw: a lone lead byte in a JSON string; a body starting with FF.
        {"{\"id\":\"\xC3\"}", "{\"id\":\"" + r + "\"}"},
        {"\xFF\xFE", r + r},
        {std::string("\0\xFF", 2), std::string("\0", 1) + r},
    };
    for (const Case& c : cases) {
        const std::string got = Sanitized(c.in);
        EXPECT_EQ(got, c.out);
        EXPECT_EQ(Replacements(got), Replacements(c.out));
        EXPECT_TRUE(IsValid(got));
    }
}

TEST(Utf8, ValidInputPassesUntouchedWithoutACopy) {
    const std::string in = "GET /api/tomes/caf\xC3\xA9";
    std::string storage;
    const std::string_view out = Sanitize(in, storage);
    EXPECT_EQ(out.data(), in.data());  // the same bytes, not a copy
    EXPECT_EQ(out.size(), in.size());
    EXPECT_EQ(storage.capacity(), std::string().capacity());  // nothing allocated
    const std::string bad = "x\xFFy";
    EXPECT_EQ(Sanitize(bad, storage), "x" + kFffd + "y");
}

TEST(Utf8, SanitizedIsValidIdempotentAndKeepsValidTextForRandomBytes) {
    std::mt19937 rng(18);
    std::uniform_int_distribution<int> byte(0, 255), len(0, 40), pick(0, 3);
    const std::string pieces[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "ok"};
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        const int n = len(rng);
        for (int j = 0; j < n; ++j) {
            if (byte(rng) < 64)
                s += pieces[pick(rng)];
            else
                s.push_back(static_cast<char>(byte(rng)));
        }
        const std::string clean = Sanitized(s);
        ASSERT_TRUE(IsValid(clean)) << i;
        ASSERT_EQ(Sanitized(clean), clean) << i;
        if (IsValid(s)) {
            ASSERT_EQ(clean, s) << i;
        }
        // The valid prefix is kept as is.
        ASSERT_EQ(clean.compare(0, FindInvalid(s), s, 0, FindInvalid(s)), 0) << i;
    }
}

TEST(Utf8, TruncatesOnlyAtCharacterBoundaries) {
    const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
    EXPECT_EQ(TruncateAtBoundary(s, 100), s);
    EXPECT_EQ(TruncateAtBoundary(s, 0), "");
    EXPECT_EQ(TruncateAtBoundary(s, 1), "a");
    EXPECT_EQ(TruncateAtBoundary(s, 2), "a");
    EXPECT_EQ(TruncateAtBoundary(s, 3), "a\xC3\xA9");
    EXPECT_EQ(TruncateAtBoundary(s, 4), "a\xC3\xA9");
    EXPECT_EQ(TruncateAtBoundary(s, 5), "a\xC3\xA9");
    EXPECT_EQ(TruncateAtBoundary(s, 6), "a\xC3\xA9\xE2\x82\xAC");
    for (std::size_t n = 6; n < 10; ++n)
        EXPECT_EQ(TruncateAtBoundary(s, n), "a\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(TruncateAtBoundary(s, 10), "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    for (std::size_t n = 0; n <= s.size(); ++n) {
        EXPECT_TRUE(IsValid(TruncateAtBoundary(s, n))) << n;
        EXPECT_LE(TruncateAtBoundary(s, n).size(), n);
    }
    // Not UTF-8 at all (a run of continuation bytes): cut where asked; the writer replaces.
    EXPECT_EQ(TruncateAtBoundary(std::string(8, '\x80'), 5).size(), 5u);
}

TEST(JsonWriter, StringEscapesAndReplacesInOnePass) {
    std::string out;
    json::String(out, std::string("q\" b\\ n\n t\t c\x01 nul\0 e\xC3\xA9 bad\xFF cut\xE2\x82", 34));
    EXPECT_EQ(out, "\"q\\\" b\\\\ n\\n t\\t c\\u0001 nul\\u0000 e\xC3\xA9 bad" + kFffd + " cut" +
                       kFffd + "\"");
    EXPECT_TRUE(IsValid(out));
    out.clear();
    json::String(out, "\xED\xA0\x80");  // a surrogate: three replacements, as Sanitized
    EXPECT_EQ(out, "\"" + kFffd + kFffd + kFffd + "\"");
}

}  // namespace
}  // namespace tome::telemetry::utf8
