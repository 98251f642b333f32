#pragma once
// Shutdown: a one-shot, thread-safe "stop now" latch. main() trips it on SIGINT/SIGTERM; long
// loops poll it or register a callback that cancels their I/O. Callbacks run on the thread
// that calls Request(), once, in registration order; one registered after the request runs
// at once.

#include <functional>
#include <vector>

#include "base/mutex.h"


namespace sightline {

class Shutdown {
 public:
  void Request();
  bool requested() const;
  void OnRequest(std::function<void()> callback);

 private:
  mutable Mutex mu_;
  bool requested_ SL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void()>> callbacks_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline
