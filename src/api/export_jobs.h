#pragma once
// ExportJobs: the pool exports run on, and how many may run at once. An export reads the
// recording disks at full speed for seconds to minutes; on the HTTP server's blocking pool a
// few of them stalled the API, playback and file serving (security review M2). So each runs
// on this pool, at most one per user and `max_running` overall; more are refused (429) rather
// than queued, since a queued export would hold its connection open with nothing to send.
//
// Threads: Acquire and the Slot's destructor are thread-safe. Lifetime: the destructor stops
// and joins the pool; every Slot and every task posted to executor() must be gone by then.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/mutex.h"
#include "base/result.h"

namespace sightline::api {

class ExportJobs {
 public:
  // A running export's place; destroying it frees the place.
  class Slot {
   public:
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    friend class ExportJobs;
    Slot(ExportJobs* owner, std::string user) : owner_(owner), user_(std::move(user)) {}
    ExportJobs* owner_;
    std::string user_;
  };

  // `max_running` >= 1 places overall, and as many pool threads.
  explicit ExportJobs(size_t max_running);
  ~ExportJobs();
  ExportJobs(const ExportJobs&) = delete;
  ExportJobs& operator=(const ExportJobs&) = delete;

  // A place for one export of `user`. ResourceExhausted, saying which limit, when the user
  // has an export running or `max_running` are.
  Result<std::unique_ptr<Slot>> Acquire(const std::string& user);

  boost::asio::any_io_executor executor();
  size_t max_running() const { return max_running_; }

 private:
  void Release(const std::string& user);

  const size_t max_running_;
  boost::asio::thread_pool pool_;
  Mutex mu_;
  size_t running_ SL_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, size_t> by_user_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::api
