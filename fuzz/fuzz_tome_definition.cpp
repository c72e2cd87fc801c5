// libFuzzer target: tome definitions as text, through both parsers of core/: YAML (and JSON read
// as YAML) with ParseTomeDefinitionText, and JSON with nlohmann's parser and ParseTomeDefinition
// (what POST /api/tomes does with a body).
//
// Checked for every definition that parses: the initial state and every transition target are
// states; ToJson gives a definition that parses again to the same JSON (the round trip is
// stable); the same definition written as JSON text and read through the YAML path gives the
// same tome (when its strings are UTF-8); and a Tome built from it takes every event type of its transitions (with its own
// context as the payload, which exercises guards and assignments) and stays in a known state.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "tome/core/json_text.hpp"
#include "tome/core/tome.hpp"
#include "tome/core/tome_definition.hpp"

namespace {

using tome::Json;
using tome::TomeDefinition;

bool IsUtf8Json(const Json& json) {
    try {
        (void)json.dump(-1, ' ', false, Json::error_handler_t::strict);
        return true;
    } catch (const Json::type_error&) {
        return false;
    }
}

void CheckDefinition(const TomeDefinition& def, const char* path) {
    const std::string where = std::string(path) + " '" + def.id + "'";
    TOME_FUZZ_CHECK(def.states.count(def.initial) == 1, where + ": initial state missing");
    for (const auto& [name, state] : def.states) {
        for (const auto& [event, t] : state.on) {
            TOME_FUZZ_CHECK(def.states.count(t.target) == 1,
                            where + ": target '" + t.target + "' of " + name + "." + event + " missing");
        }
    }

    // ToJson -> ParseTomeDefinition -> ToJson gives the same JSON (compared as text: NaN-safe).
    const Json json = tome::ToJson(def);
    auto again = tome::ParseTomeDefinition(json);
    TOME_FUZZ_CHECK(again.ok(), where + ": ToJson does not parse back: " + again.status().message() +
                                    "\n  " + tome::JsonText(json));
    const std::string text = tome::JsonText(json);
    TOME_FUZZ_CHECK(tome::JsonText(tome::ToJson(*again)) == text, where + ": the JSON round trip changed it");

    // The JSON text through the YAML path (config files) reads the same states. Only when every
    // string is UTF-8: JsonText replaces the rest with U+FFFD (on purpose), so it cannot match.
    if (!IsUtf8Json(json)) return;
    auto from_yaml = tome::ParseTomeDefinitionText(text);
    TOME_FUZZ_CHECK(from_yaml.ok(), where + ": its JSON text does not parse as YAML: " +
                                        from_yaml.status().message() + "\n  " + text);
    TOME_FUZZ_CHECK(from_yaml->id == def.id && from_yaml->initial == def.initial &&
                        from_yaml->states.size() == def.states.size(),
                    where + ": the YAML reading of its JSON text differs\n  " + text);
}

void RunTome(const TomeDefinition& def) {
    const std::string where = "tome '" + def.id + "'";
    tome::Tome machine(def);
    for (const auto& [name, state] : def.states) {
        for (const auto& [event, t] : state.on) {
            tome::TomeEvent e{event, def.context.is_object() ? def.context : Json::object()};
            const tome::TransitionOutcome outcome = machine.Send(e);
            const tome::TomeSnapshot snapshot = machine.Snapshot();
            TOME_FUZZ_CHECK(def.states.count(snapshot.state) == 1,
                            where + ": the tome is in unknown state '" + snapshot.state + "'");
            TOME_FUZZ_CHECK(!outcome.state_changed || outcome.to == snapshot.state,
                            where + ": the outcome names another state than the snapshot");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    if (auto def = tome::ParseTomeDefinitionText(text); def.ok()) {
        CheckDefinition(*def, "YAML");
        RunTome(*def);
    }

    const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_discarded()) {
        if (auto def = tome::ParseTomeDefinition(json); def.ok()) {
            CheckDefinition(*def, "JSON");
            RunTome(*def);
        }
    }
    return 0;
}
