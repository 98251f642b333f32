#include "base/shutdown.h"

namespace sightline {

void Shutdown::Request() {
  std::vector<std::function<void()>> run;
  {
    MutexLock lock(mu_);
    if (requested_) return;
    requested_ = true;
    run.swap(callbacks_);
  }
  for (auto& cb : run) cb();
}

bool Shutdown::requested() const {
  MutexLock lock(mu_);
  return requested_;
}

void Shutdown::OnRequest(std::function<void()> callback) {
  {
    MutexLock lock(mu_);
    if (!requested_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

}  // namespace sightline
