// ThreadSanitizer annotations for hand-offs through an uninstrumented library. Debian's libgrpc
// is not built with TSan, so when gRPC passes one of our objects from the thread that gave it
// to gRPC to the thread that runs our callback, TSan cannot see the synchronisation and reports
// a race on every field. Release() before the hand-off and Acquire() at the top of the callback
// declare that edge, so TSan still checks everything else both threads do. Not an
// instrumentation interface: it lives here because telemetry/api is the one library both the
// gRPC transport and its test receivers depend on. No-ops unless built with -fsanitize=thread.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define TOME_TSAN_ENABLED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TOME_TSAN_ENABLED 1
#endif
#endif

#if defined(TOME_TSAN_ENABLED)
#include <sanitizer/tsan_interface.h>
#endif

namespace tome::telemetry::tsan {

/// Call just before giving `object` to the library: everything this thread did so far happens
/// before whatever another thread does after Acquire(object). Any thread, any time.
inline void Release(const void* object) noexcept {
#if defined(TOME_TSAN_ENABLED)
    __tsan_release(const_cast<void*>(object));
#else
    (void)object;
#endif
}

/// Call first thing in a callback the library runs with `object` (see Release).
inline void Acquire(const void* object) noexcept {
#if defined(TOME_TSAN_ENABLED)
    __tsan_acquire(const_cast<void*>(object));
#else
    (void)object;
#endif
}

}  // namespace tome::telemetry::tsan
