// Tests under a sanitizer: whether this build has one, and how much slower it runs.
// scripts/sanitize.sh sets TOME_TEST_TIME_SCALE (ThreadSanitizer makes code 5-15x slower,
// AddressSanitizer 2-3x); a test that bounds elapsed time multiplies its bound by TimeScale(), so
// that it still tells "returned by the timeout" from "waited for the retry or the deadline"
// without failing on the sanitizer's own cost. A test that measures the memory of a process
// skips that part under a sanitizer: its shadow memory and quarantine are what it would measure.
#pragma once

#include <chrono>
#include <cstdlib>
#include <string>

namespace tome::testing {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
#else
inline constexpr bool kUnderSanitizer = false;
#endif

/// TOME_TEST_TIME_SCALE (a number >= 1) when set, else 1. Read once.
inline double TimeScale() {
    static const double scale = [] {
        const char* v = std::getenv("TOME_TEST_TIME_SCALE");
        if (v == nullptr) return 1.0;
        const double d = std::strtod(v, nullptr);
        return d >= 1.0 ? d : 1.0;
    }();
    return scale;
}

/// `bound` multiplied by TimeScale().
template <class Rep, class Period>
std::chrono::milliseconds Scaled(std::chrono::duration<Rep, Period> bound) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(bound).count();
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms * TimeScale()));
}

}  // namespace tome::testing
