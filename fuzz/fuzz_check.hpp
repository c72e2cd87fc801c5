// TOME_FUZZ_CHECK: the invariant check of the fuzz targets. A failed check prints what broke and
// aborts, which libFuzzer reports as a crash and saves the input as a reproducer (it is not
// TOME_CHECK, which throws in release builds and could be caught by the code under test).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tome::fuzz {

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* condition,
                                     const std::string& message) {
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n  %s\n", file, line, condition,
                 message.c_str());
    std::abort();
}

}  // namespace tome::fuzz

#define TOME_FUZZ_CHECK(condition, message)                                              \
    do {                                                                                 \
        if (!(condition)) ::tome::fuzz::CheckFailed(__FILE__, __LINE__, #condition, (message)); \
    } while (0)
