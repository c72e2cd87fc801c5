#include "tome/core/json_path.hpp"

#include <vector>

namespace tome {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        const auto dot = path.find('.');
        parts.push_back(path.substr(0, dot));
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
    }
    return parts;
}

}  // namespace

bool IsValidPath(std::string_view path) {
    if (path.empty()) return false;
    for (auto part : Split(path))
        if (part.empty()) return false;
    return path.back() != '.';
}

const Json* FindPath(const Json& doc, std::string_view path) {
    const Json* node = &doc;
    if (path.empty()) return node;
    for (auto part : Split(path)) {
        if (!node->is_object()) return nullptr;
        auto it = node->find(std::string(part));
        if (it == node->end()) return nullptr;
        node = &*it;
    }
    return node;
}

void SetPath(Json& doc, std::string_view path, Json value) {
    if (path.empty()) {
        doc = std::move(value);
        return;
    }
    Json* node = &doc;
    for (auto part : Split(path)) {
        if (!node->is_object()) *node = Json::object();
        node = &(*node)[std::string(part)];
    }
    *node = std::move(value);
}

bool ErasePath(Json& doc, std::string_view path) {
    auto parts = Split(path);
    if (parts.empty()) return false;
    Json* node = &doc;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (!node->is_object()) return false;
        auto it = node->find(std::string(parts[i]));
        if (it == node->end()) return false;
        node = &*it;
    }
    if (!node->is_object()) return false;
    return node->erase(std::string(parts.back())) > 0;
}

void MergeInto(Json& target, const Json& updates) {
    if (!updates.is_object() || !target.is_object()) {
        target = updates;
        return;
    }
    for (auto it = updates.begin(); it != updates.end(); ++it) {
        auto existing = target.find(it.key());
        if (existing != target.end() && existing->is_object() && it->is_object()) {
            MergeInto(*existing, *it);
        } else {
            target[it.key()] = *it;
        }
    }
}

}  // namespace tome
