#pragma once

// Hand-offs that ThreadSanitizer cannot see. Debian's gRPC and abseil are not instrumented
// (fuzz/README.md): when an object built on one thread is first used on a gRPC thread that
// already existed, the only synchronisation between the two is inside gRPC, and TSan reports a
// race that is none. Published(object) after the object is built, and Received(object) before a
// gRPC thread uses it, tell TSan about that hand-off. Both are no-ops outside the TSan build.

#if defined(__SANITIZE_THREAD__)
#define MERCH_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MERCH_THREAD_SANITIZER 1
#endif
#endif

#ifdef MERCH_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>
#endif

namespace merch::thread_sanitizer {

inline void Published([[maybe_unused]] const void* object) {
#ifdef MERCH_THREAD_SANITIZER
  __tsan_release(const_cast<void*>(object));
#endif
}

inline void Received([[maybe_unused]] const void* object) {
#ifdef MERCH_THREAD_SANITIZER
  __tsan_acquire(const_cast<void*>(object));
#endif
}

}  // namespace merch::thread_sanitizer
