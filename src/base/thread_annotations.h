#pragma once
// Clang thread-safety attributes, so that `clang -Wthread-safety` proves at compile time that a
// member marked SL_GUARDED_BY(mu_) is only touched with mu_ held. They expand to nothing under
// GCC (the release build); the clang builds (ThreadSanitizer and fuzzing flavours) turn any
// violation into an error. Use them through base::Mutex (mutex.h), the only mutex in src/.

#if defined(__clang__)
#define SL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SL_THREAD_ANNOTATION(x)
#endif

#define SL_CAPABILITY(name) SL_THREAD_ANNOTATION(capability(name))
#define SL_SCOPED_CAPABILITY SL_THREAD_ANNOTATION(scoped_lockable)
#define SL_GUARDED_BY(mu) SL_THREAD_ANNOTATION(guarded_by(mu))
#define SL_PT_GUARDED_BY(mu) SL_THREAD_ANNOTATION(pt_guarded_by(mu))
#define SL_ACQUIRED_BEFORE(...) SL_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define SL_REQUIRES(...) SL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define SL_EXCLUDES(...) SL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define SL_ACQUIRE(...) SL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define SL_RELEASE(...) SL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define SL_TRY_ACQUIRE(...) SL_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define SL_ASSERT_HELD(x) SL_THREAD_ANNOTATION(assert_capability(x))
#define SL_RETURN_CAPABILITY(x) SL_THREAD_ANNOTATION(lock_returned(x))
// For the rare function the analysis cannot follow; say why beside each use.
#define SL_NO_THREAD_SAFETY_ANALYSIS SL_THREAD_ANNOTATION(no_thread_safety_analysis)
