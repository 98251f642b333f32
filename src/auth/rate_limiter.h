#pragma once
// RateLimiter: slows down password guessing. Login attempts are counted per user name and per
// remote address group (an IPv4 /24 or IPv6 /64, base/address_group.h); after
// `free_failures` failures each further attempt must wait a delay that doubles with every
// failure (1 s, 2 s, 4 s ... capped at `max_delay`). A key's failures are forgotten once
// `window` passes without an attempt on it; a success forgets the name's.
//
// Password spraying (every guess from a new name and a new address) slips past both keys, so
// remote attempts also draw on a budget shared by the whole server: `global_failures_per_minute`
// failures, refilled continuously. When it is spent, remote attempts wait for it, except from
// a (name, address group) that has logged in successfully within `trusted_window`: the owner
// of an account logs in from where they did before, whatever an attacker does to the name or
// the budget (security-review-1 L4, M4).
//
// An attempt counts as a failure from the moment it is admitted until Succeeded() says
// otherwise, so concurrent guesses cannot slip through while their passwords are being
// checked. Pure (time from the Clock seam, no I/O). Memory is bounded in bytes: names are cut
// to 64 bytes (longer ones are not valid names), addresses reduced to their group, expired keys
// dropped as time passes, and beyond `max_bytes` the least recently attempted key goes first
// (security-review-1 H1). Not thread-safe: the caller serialises calls.

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
  int global_failures_per_minute = 30;  // also the burst; 0: no global budget
  std::chrono::seconds trusted_window{30 * 24 * 3600};
  size_t max_bytes = 1 << 20;  // keys and their bookkeeping; about 200 bytes a key
};

class RateLimiter {
 public:
  // `clock` must outlive this object.
  explicit RateLimiter(const Clock& clock, RateLimiterOptions options = {});

  // Zero: the attempt may go ahead and is counted as a failure of both keys. Otherwise the
  // attempt is refused, not counted, and may be retried after the returned time. An empty
  // `remote` (a local tool) is not tracked by address and draws on no budget.
  std::chrono::seconds Admit(std::string_view name, std::string_view remote);
  // The admitted attempt succeeded: the name's failures are forgotten, the remote's count and
  // the global budget get this attempt back (a remote keeps its other failures, so that one
  // valid account does not reset an address that guesses at others), and the (name, address
  // group) is trusted for `trusted_window`.
  void Succeeded(std::string_view name, std::string_view remote);

  size_t tracked_keys() const { return entries_.size(); }
  size_t tracked_bytes() const { return bytes_; }

 private:
  enum class Kind { kFailures, kTrusted };
  struct Entry {
    Kind kind = Kind::kFailures;
    int failures = 0;
    MonoTime last_attempt;
    std::list<std::string>::iterator lru;
  };
  // Time left before `key` may try again at `now`; zero when it may.
  std::chrono::nanoseconds Wait(const std::string& key, MonoTime now);
  std::chrono::nanoseconds GlobalInterval() const;
  std::chrono::nanoseconds GlobalWait(MonoTime now) const;
  // Adds one failure to `key` (or refreshes a trusted key), creating it if needed.
  void Touch(const std::string& key, Kind kind, MonoTime now);
  Entry* Find(const std::string& key, MonoTime now);  // nullptr if absent or forgotten
  void Erase(const std::string& key);
  // Drops expired keys, oldest first, and the least recently used beyond max_bytes.
  void Sweep(MonoTime now);
  bool Expired(const Entry& e, MonoTime now) const;
  std::list<std::string>& LruOf(Kind kind) { return kind == Kind::kTrusted ? trusted_lru_ : lru_; }
  std::chrono::seconds DelayAfter(int failures) const;

  const Clock& clock_;
  RateLimiterOptions options_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;          // failure keys, least recently attempted first
  std::list<std::string> trusted_lru_;  // trusted keys, least recently successful first
  size_t bytes_ = 0;
  // The global budget as a generic cell rate algorithm: each failure moves this theoretical
  // time one interval (a minute / global_failures_per_minute) on; an attempt may go ahead
  // while it is less than a minute (the burst) ahead of now.
  MonoTime global_tat_;
};

// The error Login returns for a refused attempt: ResourceExhausted,
// "too many failed logins; retry in N s".
Status TooManyFailedLoginsError(std::chrono::seconds retry_after);
// N from such an error, or from any ResourceExhausted or Unavailable status whose message ends
// in "; retry in N s" (the HTTP layer's Retry-After); nullopt for any other status.
std::optional<int64_t> RetryAfterSeconds(const Status& status);

}  // namespace sightline::auth
