// Result<T>: a value or an error message, for the telemetry layer, which may not see tome_core's
// Status. Plain value type; no shared state, so thread-safety is that of T.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tome::telemetry {

/// Why an operation failed: one human-readable English sentence (names the variable, the
/// position in the input, ...).
struct Error {
    std::string message;
};

/// A T, or the Error that explains why there is none.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    /// Precondition: ok().
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    /// Precondition: !ok().
    const Error& error() const { return std::get<1>(state_); }
    const std::string& message() const { return std::get<1>(state_).message; }

private:
    std::variant<T, Error> state_;
};

}  // namespace tome::telemetry
