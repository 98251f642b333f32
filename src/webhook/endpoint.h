#pragma once
// Endpoint: one webhook URL and its delivery queue (docs/design/webhooks.md). Offer() only
// queues (bounded; what does not fit is dropped and counted), so the recorder never waits for
// a receiver. A thread of its own POSTs the events in order, each signed afresh at every
// attempt (signature.h), and retries what failed for a reason that may pass (no answer, 408,
// 429, 5xx) with a backoff doubling from backoff_min to backoff_max, the same delivery id each
// time; other answers (3xx, 4xx) are refused for good, dropped and counted. An event older
// than give_up_after is dropped too. A receiver that fails is one log line, and one more when
// it delivers again.
//
// Threads: Offer and stats from any thread; Stop from the owner.

#include <chrono>
#include <cstdint>
#include <deque>
#include <set>
#include <memory>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "webhook/event.h"
#include "webhook/http_post.h"

namespace sightline::webhook {

struct EndpointOptions {
  std::string name;  // in logs and stats: "webhooks[0]"
  std::string url;   // http:// or https://
  std::string secret;
  Filter filter;
  std::string user_agent = "sightline";
  std::chrono::milliseconds timeout{10'000};  // one attempt
  size_t max_queue = 1000;
  std::chrono::milliseconds backoff_min{1'000};
  std::chrono::milliseconds backoff_max{300'000};
  std::chrono::milliseconds give_up_after{24 * 3600 * 1000};
  const Clock* clock = nullptr;  // timestamps and event ages; null: the machine's
};

struct EndpointStats {
  uint64_t queued = 0;     // accepted by Offer (after the filter)
  uint64_t delivered = 0;  // answered 2xx
  uint64_t attempts = 0;   // POSTs made, retries included
  uint64_t dropped = 0;    // refused by a full queue, or still queued at Stop
  uint64_t refused = 0;    // answered 3xx or 4xx (but 408, 429): not retried
  uint64_t expired = 0;    // older than give_up_after before delivery
  size_t queue = 0;        // waiting now
  bool failing = false;    // the last attempt failed and is being retried
};

class Endpoint {
 public:
  static std::unique_ptr<Endpoint> Start(EndpointOptions options);
  ~Endpoint();  // Stop()
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Queues `event` if the filter wants it; false when it was not wanted or was dropped.
  bool Offer(const Event& event);
  // Waits up to `drain` for the queue to empty while the receiver answers, then ends the
  // attempt in progress and the thread; what is left is dropped and counted. Idempotent.
  void Stop(std::chrono::milliseconds drain = std::chrono::milliseconds(2000));
  EndpointStats stats() const;
  const EndpointOptions& options() const { return options_; }

 private:
  struct Pending {
    std::string id;    // delivery id
    std::string type;
    std::string body;
    int64_t time_us;   // the event's
  };
  enum class Outcome { kDelivered, kRefused, kRetry };
  struct AttemptResult {
    Outcome outcome = Outcome::kRetry;
    int status = 0;   // the HTTP status; 0 when no answer came
    std::string why;  // what went wrong, for the log
  };

  explicit Endpoint(EndpointOptions options);
  void Loop();
  // One POST of `p`, signed now.
  AttemptResult Attempt(const Pending& p);
  // Sleeps up to `d` unless stopping; false once stopping.
  bool Pause(std::chrono::milliseconds d) SL_EXCLUDES(mu_);
  // Counts and logs an attempt's result.
  void Note(const AttemptResult& r, std::chrono::milliseconds retry_in) SL_REQUIRES(mu_);

  const EndpointOptions options_;
  const Clock& clock_;
  HttpPost post_;  // the thread's only
  mutable Mutex mu_;
  CondVar cv_;  // queue or stopping changed
  std::deque<Pending> queue_ SL_GUARDED_BY(mu_);
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  bool draining_ SL_GUARDED_BY(mu_) = false;
  EndpointStats stats_ SL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point failing_since_ SL_GUARDED_BY(mu_);
  uint64_t retries_this_outage_ SL_GUARDED_BY(mu_) = 0;
  std::set<int> refusals_logged_ SL_GUARDED_BY(mu_);  // statuses: one line each
  std::thread thread_;
};

}  // namespace sightline::webhook
