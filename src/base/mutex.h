#pragma once
// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable carrying Clang's
// thread-safety attributes (thread_annotations.h). Every mutex in src/ is a base::Mutex, and
// the members it protects say so with SL_GUARDED_BY, so the clang builds check each access.
//
// CondVar waits take the Mutex itself and have no predicate overloads on purpose: a predicate
// lambda is analysed as a separate function that does not hold the lock. Callers write the loop
//   while (!ready_) cv_.Wait(mu_);
// where the analysis sees mu_ held.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "base/thread_annotations.h"

namespace sightline {

class SL_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() SL_ACQUIRE() { mu_.lock(); }
  void Unlock() SL_RELEASE() { mu_.unlock(); }
  bool TryLock() SL_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the caller holds the lock (for callbacks it cannot follow).
  void AssertHeld() const SL_ASSERT_HELD(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SL_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) SL_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() SL_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

class CondVar {
 public:
  // Releases `mu` while waiting and holds it again on return; may wake spuriously.
  void Wait(Mutex& mu) SL_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait; false when `deadline` passed.
  bool WaitUntil(Mutex& mu, std::chrono::steady_clock::time_point deadline) SL_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  template <class Rep, class Period>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> timeout) SL_REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout));
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace sightline
