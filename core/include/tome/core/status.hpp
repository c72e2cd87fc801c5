// Status and Result<T>: how every tome layer reports an expected failure.
// Exceptions are reserved for bugs and start-up; anything a caller can get wrong comes back as
// a Status with the most specific code. Both types are plain values, safe to copy across threads.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tome {

/// The small, closed set of failure kinds. The API layer maps each to one HTTP status.
enum class Code {
    kOk = 0,
    kInvalidArgument,     ///< The request itself is wrong (bad field, bad value).
    kNotFound,            ///< A named thing (tome, connection, trace) does not exist.
    kAlreadyExists,       ///< Creating something whose id is taken.
    kFailedPrecondition,  ///< The current state does not allow this; retrying will not help.
    kResourceExhausted,   ///< A bounded resource is full (queue, rate limit, size limit).
    kUnavailable,         ///< Transient; worth retrying (the other side did not act on it).
    kDeadlineExceeded,    ///< A timeout expired.
    kUnimplemented,       ///< Not supported.
    kInternal,            ///< A bug or an unexpected library failure.
    /// An exchange with another process broke off after the request was sent (reset, empty
    /// reply): the other side may have acted on it, so sending it again may repeat it.
    kAborted,
};

/// Stable lower_snake name of a code ("not_found"), used in error envelopes and logs.
std::string_view CodeName(Code code) noexcept;

/// Raised by TOME_CHECK in release builds: an invariant was broken (a bug, never bad input).
class InvariantError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// The outcome of an operation that returns no value.
class [[nodiscard]] Status {
public:
    Status() = default;  ///< OK.
    Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

    static Status Ok() { return {}; }

    bool ok() const noexcept { return code_ == Code::kOk; }
    Code code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    /// "not_found: tome 'X' does not exist".
    std::string ToString() const;

    friend bool operator==(const Status& a, const Status& b) {
        return a.code_ == b.code_ && a.message_ == b.message_;
    }

private:
    Code code_ = Code::kOk;
    std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

/// A value of T or the Status that explains why there is none. A Result built from an OK
/// Status is a bug (TOME_CHECK fires).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Status status);                         // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return std::holds_alternative<T>(state_); }
    /// The failure; Status::Ok() when a value is held.
    Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

    /// Precondition: ok().
    T& value() & { return Get(); }
    const T& value() const& { return const_cast<Result*>(this)->Get(); }
    T&& value() && { return std::move(Get()); }
    T& operator*() & { return Get(); }
    const T& operator*() const& { return const_cast<Result*>(this)->Get(); }
    T* operator->() { return &Get(); }
    const T* operator->() const { return &const_cast<Result*>(this)->Get(); }

private:
    T& Get() {
        if (!ok()) throw InvariantError("Result::value() on error: " + status().ToString());
        return std::get<T>(state_);
    }
    std::variant<T, Status> state_;
};

template <typename T>
Result<T>::Result(Status status) : state_(std::move(status)) {
    if (std::get<Status>(state_).ok()) {
        throw InvariantError("Result<T> built from an OK Status without a value");
    }
}

}  // namespace tome

/// Checks an invariant (never input validation): aborts in debug builds, throws
/// tome::InvariantError in release builds so the request boundary can answer 500.
#ifdef NDEBUG
#define TOME_CHECK(cond, msg)                                                        \
    do {                                                                             \
        if (!(cond)) throw ::tome::InvariantError(std::string("check failed: ") + (msg)); \
    } while (0)
#else
#include <cassert>
#define TOME_CHECK(cond, msg) assert((cond) && (msg))
#endif
