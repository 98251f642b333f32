// Must NOT compile under `clang++ -Wthread-safety -Werror=thread-safety`: the CTest
// ThreadSafetyAnalysis.RefusesUnguardedAccess expects clang's error for each function below.
// If this file ever compiles, the annotations in base/mutex.h have stopped meaning anything.

#include "base/mutex.h"

namespace sightline {

class Counter {
 public:
  void IncrementWithoutLock() { ++count_; }  // error: writing count_ requires holding mu_
  int ReadWithoutLock() const { return count_; }  // error: reading count_ requires holding mu_
  void WaitWithoutLock() { cv_.Wait(mu_); }  // error: calling Wait requires holding mu_
  void Fine() {
    MutexLock lock(mu_);
    ++count_;
  }

 private:
  mutable Mutex mu_;
  CondVar cv_;
  int count_ SL_GUARDED_BY(mu_) = 0;
};

}  // namespace sightline
