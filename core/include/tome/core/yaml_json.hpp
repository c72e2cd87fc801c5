// Conversion of yaml-cpp nodes into JSON values, so YAML-defined tomes and configs go through
// the same validation as JSON ones. Pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include "tome/core/json_path.hpp"

namespace tome {

/// Plain scalars that read as true/false, integers, floats or null become those JSON types;
/// quoted scalars stay strings.
Json YamlToJson(const YAML::Node& node);

}  // namespace tome
