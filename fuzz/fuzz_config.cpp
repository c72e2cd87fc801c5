// libFuzzer target: the `tome` config file (app/src/config.cpp's LoadConfig with the `alerts`
// blocks of alert_config.cpp), read for each of the three environments it can select. The input
// is written to a scratch file, since LoadConfig reads a path; no environment variables are set.
//
// Checked: loading returns a Status and never throws; an error says where it is
// ("FILE:LINE: what is wrong", or names the file for one that cannot be read); a config that
// loads holds tome definitions that survive their JSON round trip, tome ids that are unique,
// connections that name both ends, and alert rules that ValidateRule accepts.
#include <unistd.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include "config.hpp"
#include "fuzz_check.hpp"

namespace {

const std::string& ScratchPath() {
    static const std::string path = "/tmp/tome-fuzz-config-" + std::to_string(::getpid()) + ".yaml";
    return path;
}

bool SaysWhere(const std::string& message, const std::string& path) {
    if (message.rfind(path + ":", 0) != 0) return false;
    std::size_t i = path.size() + 1;
    const std::size_t digits = i;
    while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) ++i;
    return i > digits && message.compare(i, 2, ": ") == 0;
}

void CheckLoaded(const tome::app::AppConfig& c, const std::string& environment) {
    std::set<std::string> ids;
    for (const auto& def : c.tomes) {
        TOME_FUZZ_CHECK(ids.insert(def.id).second, environment + ": duplicate tome id '" + def.id + "'");
        TOME_FUZZ_CHECK(tome::ParseTomeDefinition(tome::ToJson(def)).ok(),
                        environment + ": tome '" + def.id + "' does not survive ToJson");
    }
    for (const auto& conn : c.connections) {
        TOME_FUZZ_CHECK(!conn.source.empty() && !conn.target.empty(), environment + ": a connection without ends");
    }
    for (const auto& rule : c.console.alerting.rules) {
        TOME_FUZZ_CHECK(rule.enabled, environment + ": disabled rule '" + rule.name + "' kept");
        const tome::Status st = tome::console::ValidateRule(rule);
        TOME_FUZZ_CHECK(st.ok(), environment + ": rule '" + rule.name + "' loaded but invalid: " + st.message());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = ScratchPath();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        TOME_FUZZ_CHECK(out.good(), "cannot write " + path);
    }
    for (const char* environment : {"development", "staging", "production"}) {
        const tome::app::EnvLookup env = [environment](const std::string& name) -> std::optional<std::string> {
            if (name == "TOME_ENV") return std::string(environment);
            return std::nullopt;
        };
        auto loaded = tome::app::LoadConfig(path, env);
        if (loaded.ok()) {
            CheckLoaded(*loaded, environment);
            continue;
        }
        const tome::Status status = loaded.status();
        const std::string message = status.message();
        TOME_FUZZ_CHECK(status.code() == tome::Code::kInvalidArgument,
                        std::string(environment) + ": not invalid_argument: " + message);
        TOME_FUZZ_CHECK(SaysWhere(message, path), std::string(environment) + ": the error does not say FILE:LINE: " + message);
    }
    return 0;
}
