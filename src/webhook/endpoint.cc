#include "webhook/endpoint.h"

#include <algorithm>

#include "base/logging.h"
#include "webhook/payload.h"
#include "webhook/signature.h"

namespace sightline::webhook {
namespace {

bool Retryable(int status) { return status == 408 || status == 429 || status >= 500; }

const Clock& MachineClock() {
  static const RealClock clock;
  return clock;
}

}  // namespace

Endpoint::Endpoint(EndpointOptions options)
    : options_(std::move(options)), clock_(options_.clock != nullptr ? *options_.clock : MachineClock()) {}

std::unique_ptr<Endpoint> Endpoint::Start(EndpointOptions options) {
  std::unique_ptr<Endpoint> e(new Endpoint(std::move(options)));
  e->thread_ = std::thread([p = e.get()] { p->Loop(); });
  return e;
}

Endpoint::~Endpoint() { Stop(); }

bool Endpoint::Offer(const Event& event) {
  if (!options_.filter.Matches(event)) return false;
  Pending p{NewDeliveryId(), event.type, "", event.time_us};
  p.body = DeliveryBody(event, p.id);
  MutexLock lock(mu_);
  if (stopping_ || draining_ || queue_.size() >= options_.max_queue) {
    if (stats_.dropped++ == 0 && !stopping_ && !draining_) {
      SL_LOG(kWarning) << "webhook " << options_.name << ": the queue is full (" << options_.max_queue
                       << " events); dropping new events (counted in dropped)";
    }
    return false;
  }
  queue_.push_back(std::move(p));
  ++stats_.queued;
  cv_.NotifyAll();
  return true;
}

void Endpoint::Stop(std::chrono::milliseconds drain) {
  if (!thread_.joinable()) return;
  {
    MutexLock lock(mu_);
    draining_ = true;
    const auto deadline = std::chrono::steady_clock::now() + drain;
    while (!queue_.empty() && !stats_.failing) {
      if (!cv_.WaitUntil(mu_, deadline)) break;
    }
    stopping_ = true;
    cv_.NotifyAll();
  }
  post_.Abort();
  thread_.join();
  MutexLock lock(mu_);
  stats_.dropped += queue_.size();
  queue_.clear();
}

EndpointStats Endpoint::stats() const {
  MutexLock lock(mu_);
  EndpointStats s = stats_;
  s.queue = queue_.size();
  return s;
}

void Endpoint::Loop() {
  std::chrono::milliseconds backoff = options_.backoff_min;
  for (;;) {
    Pending p;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) cv_.Wait(mu_);
      if (stopping_) return;
      p = queue_.front();  // stays queued (and counted) until it is done with
    }
    const bool expired = UnixMicros(clock_.WallNow()) - p.time_us >
                         std::chrono::duration_cast<std::chrono::microseconds>(options_.give_up_after).count();
    AttemptResult r{Outcome::kRefused, 0, ""};
    if (!expired) r = Attempt(p);
    const Outcome outcome = r.outcome;
    {
      MutexLock lock(mu_);
      if (stopping_) return;  // the attempt was aborted: not a failure of the receiver
      if (expired) {
        ++stats_.expired;
      } else {
        Note(r, backoff);
      }
      if (outcome != Outcome::kRetry) {
        queue_.pop_front();
        cv_.NotifyAll();
      }
    }
    if (outcome != Outcome::kRetry) {
      backoff = options_.backoff_min;
      continue;
    }
    if (!Pause(backoff)) return;
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

Endpoint::AttemptResult Endpoint::Attempt(const Pending& p) {
  const int64_t now_s = UnixMicros(clock_.WallNow()) / 1'000'000;
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", options_.user_agent},
      {std::string(kEventHeader), p.type},
      {std::string(kDeliveryHeader), p.id},
      {std::string(kTimestampHeader), std::to_string(now_s)},
      {std::string(kSignatureHeader), SignatureHeader(options_.secret, now_s, p.body)},
  };
  {
    MutexLock lock(mu_);
    ++stats_.attempts;
  }
  Result<int> status = post_.Post(options_.url, headers, p.body, options_.timeout);
  if (!status.ok()) return {Outcome::kRetry, 0, status.status().message()};
  if (*status >= 200 && *status < 300) return {Outcome::kDelivered, *status, ""};
  return {Retryable(*status) ? Outcome::kRetry : Outcome::kRefused, *status, "HTTP " + std::to_string(*status)};
}

void Endpoint::Note(const AttemptResult& r, std::chrono::milliseconds retry_in) {
  const std::string where = RedactUrl(options_.url);
  switch (r.outcome) {
    case Outcome::kDelivered:
      ++stats_.delivered;
      if (stats_.failing) {
        const auto down = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                           failing_since_);
        SL_LOG(kInfo) << "webhook " << options_.name << ": delivering to " << where << " again after "
                      << down.count() << " s and " << retries_this_outage_ << " retries";
      }
      stats_.failing = false;
      return;
    case Outcome::kRefused:
      ++stats_.refused;
      if (refusals_logged_.insert(r.status).second) {
        SL_LOG(kWarning) << "webhook " << options_.name << ": " << where << " refused an event with " << r.why
                         << "; not retried (check the URL and what the receiver expects); further "
                         << r.why << " refusals are only counted";
      }
      return;
    case Outcome::kRetry:
      if (!stats_.failing) {
        stats_.failing = true;
        failing_since_ = std::chrono::steady_clock::now();
        retries_this_outage_ = 0;
        SL_LOG(kWarning) << "webhook " << options_.name << ": cannot deliver to " << where << ": " << r.why
                         << "; retrying, first in " << retry_in.count() << " ms (" << queue_.size()
                         << " queued, up to " << options_.max_queue << ")";
      }
      ++retries_this_outage_;
      return;
  }
}

bool Endpoint::Pause(std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  MutexLock lock(mu_);
  while (!stopping_ && cv_.WaitUntil(mu_, deadline)) {
  }
  return !stopping_;
}

}  // namespace sightline::webhook
