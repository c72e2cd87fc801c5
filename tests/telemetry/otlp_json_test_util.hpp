// Test helpers for OTLP/JSON: libprotobuf's proto3 JSON parser reads OTLP/JSON once the hex
// trace/span ids (OTLP's one deviation from proto3 JSON) are turned back into base64, so an
// encoder's JSON can be parsed into the generated message and compared with its protobuf twin.
#pragma once

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <regex>
#include <string>

#include "tome/telemetry/api/json_writer.hpp"

namespace tome::telemetry::testing {

/// `"traceId":"<hex>"` / `"spanId":"<hex>"` / `"parentSpanId":"<hex>"` with base64 values.
inline std::string OtlpJsonIdsToBase64(const std::string& json) {
    static const std::regex kId("\"(traceId|spanId|parentSpanId)\":\"([0-9a-fA-F]*)\"");
    std::string out;
    auto last = json.cbegin();
    for (std::sregex_iterator it(json.begin(), json.end(), kId), end; it != end; ++it) {
        out.append(last, (*it)[0].first);
        const std::string hex = (*it)[2].str();
        std::string bytes;
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        out += "\"" + (*it)[1].str() + "\":";
        json::Base64(out, bytes);
        last = (*it)[0].second;
    }
    out.append(last, json.cend());
    return out;
}

/// Parses OTLP/JSON into `message` (unknown fields are errors). Returns the parser's message
/// on failure, empty on success.
template <class Message>
std::string ParseOtlpJson(const std::string& otlp_json, Message& message) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status = google::protobuf::util::JsonStringToMessage(
        OtlpJsonIdsToBase64(otlp_json), &message, options);
    return status.ok() ? std::string() : std::string(status.message());
}

/// Empty when equal, else a report of the differences.
inline std::string ProtoDiff(const google::protobuf::Message& a,
                             const google::protobuf::Message& b) {
    std::string report;
    google::protobuf::util::MessageDifferencer d;
    d.ReportDifferencesToString(&report);
    return d.Compare(a, b) ? std::string() : (report.empty() ? "differ" : report);
}

}  // namespace tome::telemetry::testing
