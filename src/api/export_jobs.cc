// ExportJobs (export_jobs.h).

#include "api/export_jobs.h"

namespace sightline::api {

// One export per user: a second would only split the same disks' speed between them.
constexpr size_t kMaxPerUser = 1;

ExportJobs::Slot::~Slot() { owner_->Release(user_); }

ExportJobs::ExportJobs(size_t max_running)
    : max_running_(max_running == 0 ? 1 : max_running), pool_(max_running_) {}

ExportJobs::~ExportJobs() {
  pool_.stop();
  pool_.join();
}

Result<std::unique_ptr<ExportJobs::Slot>> ExportJobs::Acquire(const std::string& user) {
  MutexLock lock(mu_);
  auto it = by_user_.find(user);
  if (it != by_user_.end() && it->second >= kMaxPerUser) {
    return ResourceExhaustedError(
        "You have an export running already; wait until it has finished downloading.");
  }
  if (running_ >= max_running_) {
    return ResourceExhaustedError("The server is busy with " + std::to_string(running_) +
                                  " exports; try again in a minute.");
  }
  ++running_;
  ++by_user_[user];
  return std::unique_ptr<Slot>(new Slot(this, user));
}

boost::asio::any_io_executor ExportJobs::executor() { return pool_.get_executor(); }

void ExportJobs::Release(const std::string& user) {
  MutexLock lock(mu_);
  --running_;
  if (auto it = by_user_.find(user); it != by_user_.end() && --it->second == 0) by_user_.erase(it);
}

}  // namespace sightline::api
