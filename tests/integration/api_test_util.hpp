// Shared checks for the integration tests: the envelope shape and small request helpers.
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "http_client.hpp"

namespace tome::testing {

/// Asserts the envelope every API answer must have and returns its data (or error).
inline nlohmann::json CheckEnvelope(const ClientResponse& r, bool success) {
    static const std::regex kTimestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
    static const std::regex kTrace("[0-9a-f]{32}");
    static const std::regex kSpan("[0-9a-f]{16}");
    nlohmann::json j;
    try {
        j = r.Json();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "response is not JSON: " << r.body;
        return {};
    }
    EXPECT_EQ(j.value("success", !success), success) << r.body;
    EXPECT_TRUE(j.contains("traceId") && std::regex_match(j["traceId"].get<std::string>(), kTrace)) << r.body;
    EXPECT_TRUE(j.contains("spanId") && std::regex_match(j["spanId"].get<std::string>(), kSpan)) << r.body;
    EXPECT_TRUE(j.contains("timestamp") &&
                std::regex_match(j["timestamp"].get<std::string>(), kTimestamp)) << r.body;
    EXPECT_TRUE(j.contains("duration") && j["duration"].is_number()) << r.body;
    if (success) {
        EXPECT_TRUE(j.contains("data")) << r.body;
        return j.value("data", nlohmann::json());
    }
    EXPECT_TRUE(j.contains("error") && j["error"].contains("code") && j["error"].contains("message"))
        << r.body;
    return j.value("error", nlohmann::json());
}

/// A simple tome definition with states a -GO-> b -GO-> a.
inline nlohmann::json SimpleTome(const std::string& id) {
    return {{"id", id},
            {"initial", "a"},
            {"context", {{"n", 0}}},
            {"states", {{"a", {{"on", {{"GO", "b"}}}}}, {"b", {{"on", {{"GO", "a"}}}}}}}};
}

}  // namespace tome::testing
