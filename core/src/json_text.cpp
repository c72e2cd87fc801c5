#include "tome/core/json_text.hpp"

namespace tome {

std::string JsonText(const nlohmann::json& value) {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tome
