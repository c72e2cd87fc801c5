// The console UI's files, embedded in the binary at build time by console/tools/embed_assets
// (the generated ui_assets_data.cpp defines these). Immutable data; read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace tome::console::internal {

struct UiAsset {
    std::string_view path;          ///< "/index.html", "/assets/index-3f2a.js"
    std::string_view content_type;
    std::string_view raw;
    std::string_view gzipped;
    std::string_view etag;          ///< Without quotes.
};

std::span<const UiAsset> UiAssets();
/// False when the build had no Node.js: the only page then says how to build the UI.
bool UiBuilt();

}  // namespace tome::console::internal
