#pragma once
// RateLimiter: slows down password guessing. Login attempts are counted per user name and per
// remote address; after `free_failures` failures each further attempt must wait a delay that
// doubles with every failure (1 s, 2 s, 4 s ... capped at `max_delay`). A key's failures are
// forgotten once `window` passes without an attempt on it; a success forgets the name's.
//
// An attempt counts as a failure from the moment it is admitted until Succeeded() says
// otherwise, so concurrent guesses cannot slip through while their passwords are being
// checked. Pure (time from the Clock seam, no I/O); memory is bounded by `max_keys`, the
// least recently used key evicted first. Not thread-safe: the caller serialises calls.

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "base/status.h"

namespace sightline::auth {

struct RateLimiterOptions {
  int free_failures = 5;
  std::chrono::seconds window{15 * 60};
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{5 * 60};
  size_t max_keys = 10'000;  // names plus addresses; about 100 bytes each
};

class RateLimiter {
 public:
  // `clock` must outlive this object.
  explicit RateLimiter(const Clock& clock, RateLimiterOptions options = {});

  // Zero: the attempt may go ahead and is counted as a failure of both keys. Otherwise the
  // attempt is refused, not counted, and may be retried after the returned time. An empty
  // `remote` (a local tool) is not tracked.
  std::chrono::seconds Admit(std::string_view name, std::string_view remote);
  // The admitted attempt succeeded: the name's failures are forgotten, and the remote's count
  // loses this attempt (a remote keeps its other failures, so that one valid account does not
  // reset an address that guesses at others).
  void Succeeded(std::string_view name, std::string_view remote);

  size_t tracked_keys() const { return entries_.size(); }

 private:
  struct Entry {
    int failures = 0;
    MonoTime last_attempt;
    std::list<std::string>::iterator lru;
  };
  // Time left before `key` may try again at `now`; zero when it may.
  std::chrono::nanoseconds Wait(const std::string& key, MonoTime now);
  void Count(const std::string& key, MonoTime now);
  Entry* Find(const std::string& key, MonoTime now);  // nullptr if absent or forgotten
  void Erase(const std::string& key);
  std::chrono::seconds DelayAfter(int failures) const;

  const Clock& clock_;
  RateLimiterOptions options_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // least recently attempted first
};

// The error Login returns for a refused attempt: ResourceExhausted,
// "too many failed logins; retry in N s".
Status TooManyFailedLoginsError(std::chrono::seconds retry_after);
// N from such an error (the HTTP layer's Retry-After), or nullopt for any other status.
std::optional<int64_t> RetryAfterSeconds(const Status& status);

}  // namespace sightline::auth
