#include "tome/core/yaml_json.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace tome {
namespace {

Json ScalarToJson(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() == "!") return s;  // quoted: always a string
    if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (!s.empty()) {
        char* end = nullptr;
        errno = 0;
        const long long i = std::strtoll(s.c_str(), &end, 10);
        if (errno == 0 && end == s.c_str() + s.size()) return i;
        errno = 0;
        const double d = std::strtod(s.c_str(), &end);
        const bool looks_numeric = s.find_first_not_of("0123456789+-.eE") == std::string::npos;
        if (errno == 0 && end == s.c_str() + s.size() && looks_numeric) return d;
    }
    return s;
}

}  // namespace

Json YamlToJson(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return nullptr;
        case YAML::NodeType::Scalar:
            return ScalarToJson(node);
        case YAML::NodeType::Sequence: {
            Json out = Json::array();
            for (const auto& item : node) out.push_back(YamlToJson(item));
            return out;
        }
        case YAML::NodeType::Map: {
            Json out = Json::object();
            for (const auto& kv : node) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
            return out;
        }
    }
    return nullptr;
}

}  // namespace tome
