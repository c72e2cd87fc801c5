// JsonText: the one JSON-to-text writer of the API and the backend calls. It must never throw on
// content (a throw became a 500) and must replace what is not UTF-8 by the same rule as
// telemetry/api/utf8.hpp, so that every output of tome agrees.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tome/core/json_text.hpp"
#include "tome/telemetry/api/utf8.hpp"

namespace tome {
namespace {

namespace utf8 = telemetry::utf8;
using Json = nlohmann::json;

TEST(JsonText, WritesWhatPlainDumpRefusesAsValidUtf8) {
    const Json j = {{"id", "\xC3"}, {"msg\xFF", "tome '\xFF\xFE' does not exist"}, {"n", 1}};
    EXPECT_THROW((void)j.dump(), Json::type_error);  // what used to become a 500
    std::string text;
    ASSERT_NO_THROW(text = JsonText(j));
    EXPECT_TRUE(utf8::IsValid(text));
    const Json back = Json::parse(text);
    EXPECT_EQ(back["id"], "\xEF\xBF\xBD");
    EXPECT_EQ(back["msg\xEF\xBF\xBD"], "tome '\xEF\xBF\xBD\xEF\xBF\xBD' does not exist");
    EXPECT_EQ(back["n"], 1);
    // Valid text is written as it is, without \u escapes.
    EXPECT_EQ(JsonText(Json{{"k", "caf\xC3\xA9"}}), "{\"k\":\"caf\xC3\xA9\"}");
}

TEST(JsonText, ReplacesExactlyAsUtf8SanitizedForRandomBytes) {
    std::mt19937 rng(18);
    std::uniform_int_distribution<int> byte(0x20, 0xFF), len(0, 24);
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        for (int n = len(rng); n > 0; --n) {
            const char c = static_cast<char>(byte(rng));
            if (c != '"' && c != '\\') s.push_back(c);  // nothing to escape
        }
        ASSERT_EQ(JsonText(Json(s)), "\"" + utf8::Sanitized(s) + "\"") << i;
    }
}

}  // namespace
}  // namespace tome
