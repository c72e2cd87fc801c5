// How fuzz_api_request reads its input: HTTP/1.1-like text, so that seeds stay readable and
// libFuzzer's dictionary (fuzz/dict/api_request.dict) can splice methods, routes and header
// names. Requests are separated by a line "###"; each is "METHOD TARGET" on its first line,
// then "name: value" header lines (names lower-cased, as the server stores them; lines without
// ':' ignored), then a blank line, then the body (the rest, as bytes). The target is split into
// path and query at the first '?' as server/src/wire.cpp does. Pure functions.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tome/api/http.hpp"

namespace tome::fuzz {

inline std::string_view TakeLine(std::string_view& text) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

inline api::HttpRequest ParseRequest(std::string_view text) {
    api::HttpRequest r;
    const std::string_view first = TakeLine(text);
    const std::size_t space = first.find(' ');
    r.method = std::string(first.substr(0, space));
    r.target = space == std::string_view::npos ? std::string() : std::string(first.substr(space + 1));
    const std::size_t question = r.target.find('?');
    r.path = r.target.substr(0, question);
    if (question != std::string::npos) r.query = r.target.substr(question + 1);
    while (!text.empty()) {
        const std::string_view line = TakeLine(text);
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name(line.substr(0, colon));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        auto [it, inserted] = r.headers.try_emplace(std::move(name), value);
        if (!inserted) it->second += ", " + std::string(value);  // as the server joins repeats
    }
    r.body = std::string(text);
    return r;
}

/// At most `max_requests` requests; the rest of the input is ignored.
inline std::vector<api::HttpRequest> ParseRequests(std::string_view input, std::size_t max_requests) {
    static constexpr std::string_view kSeparator = "\n###\n";
    std::vector<api::HttpRequest> out;
    while (out.size() < max_requests) {
        const std::size_t end = input.find(kSeparator);
        out.push_back(ParseRequest(input.substr(0, end)));
        if (end == std::string_view::npos) break;
        input.remove_prefix(end + kSeparator.size());
    }
    return out;
}

}  // namespace tome::fuzz
