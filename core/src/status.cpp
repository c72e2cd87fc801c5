#include "tome/core/status.hpp"

namespace tome {

std::string_view CodeName(Code code) noexcept {
    switch (code) {
        case Code::kOk: return "ok";
        case Code::kInvalidArgument: return "invalid_argument";
        case Code::kNotFound: return "not_found";
        case Code::kAlreadyExists: return "already_exists";
        case Code::kFailedPrecondition: return "failed_precondition";
        case Code::kResourceExhausted: return "resource_exhausted";
        case Code::kUnavailable: return "unavailable";
        case Code::kDeadlineExceeded: return "deadline_exceeded";
        case Code::kUnimplemented: return "unimplemented";
        case Code::kInternal: return "internal";
        case Code::kAborted: return "aborted";
    }
    return "unknown";
}

std::string Status::ToString() const {
    if (ok()) return "ok";
    std::string out(CodeName(code_));
    out += ": ";
    out += message_;
    return out;
}

}  // namespace tome
