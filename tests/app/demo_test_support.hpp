// Shared by the app tests that run the demo workload: an empty environment, the demo
// Application built from the shipped config, and reading a string attribute of a span.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "application.hpp"
#include "config.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::app::testing {

/// An environment in which no variable is set.
inline EnvLookup NoEnv() {
    return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

/// The demo network of config/tome.yaml, built with NoEnv() (not started). `port` overrides
/// the config's (0: an ephemeral port, for tests that Start() the server on loopback).
inline Result<std::unique_ptr<Application>> MakeDemoApplication(
    std::optional<unsigned short> port = std::nullopt) {
    auto config = LoadConfig(TOME_TEST_CONFIG, NoEnv());
    if (!config.ok()) return config.status();
    if (port) {
        config->server.port = *port;
        config->server.address = "127.0.0.1";
    }
    config->storage.enabled = false;  // like `tome demo`: nothing kept between tests
    return Application::Create(std::move(*config), NoEnv());
}

/// The string attribute `key` of `span`, or empty when absent or not a string.
inline std::string StringAttr(const telemetry::trace::SpanData& span, std::string_view key) {
    const auto* v = telemetry::trace::FindAttribute(span.attributes, key);
    if (v == nullptr || !std::holds_alternative<std::string>(*v)) return {};
    return std::get<std::string>(*v);
}

}  // namespace tome::app::testing
