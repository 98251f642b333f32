#include "auth/rate_limiter.h"

#include <algorithm>
#include <charconv>

namespace sightline::auth {
namespace {

constexpr std::string_view kTooManyPrefix = "too many failed logins; retry in ";

// Names are case-insensitive (users.name is COLLATE NOCASE), so "Admin" and "admin" must
// share a counter.
std::string NameKey(std::string_view name) {
  std::string key = "name:";
  for (char c : name) key += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return key;
}

std::string RemoteKey(std::string_view remote) { return "remote:" + std::string(remote); }

}  // namespace

RateLimiter::RateLimiter(const Clock& clock, RateLimiterOptions options)
    : clock_(clock), options_(options) {}

std::chrono::seconds RateLimiter::DelayAfter(int failures) const {
  const int doublings = failures - options_.free_failures;
  if (doublings < 0) return std::chrono::seconds(0);
  // 2^30 s is far beyond any sensible cap; stopping there keeps the shift defined.
  const auto delay = options_.first_delay * (int64_t{1} << std::min(doublings, 30));
  return std::min(delay, options_.max_delay);
}

RateLimiter::Entry* RateLimiter::Find(const std::string& key, MonoTime now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (now - it->second.last_attempt >= options_.window) {
    Erase(key);
    return nullptr;
  }
  return &it->second;
}

void RateLimiter::Erase(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

std::chrono::nanoseconds RateLimiter::Wait(const std::string& key, MonoTime now) {
  const Entry* e = Find(key, now);
  if (e == nullptr) return std::chrono::nanoseconds(0);
  const MonoTime allowed = e->last_attempt + DelayAfter(e->failures);
  return std::max(std::chrono::nanoseconds(0), allowed - now);
}

void RateLimiter::Count(const std::string& key, MonoTime now) {
  Entry* e = Find(key, now);
  if (e == nullptr) {
    while (!lru_.empty() && entries_.size() >= options_.max_keys) Erase(lru_.front());
    lru_.push_back(key);
    e = &entries_[key];
    e->lru = std::prev(lru_.end());
  } else {
    lru_.splice(lru_.end(), lru_, e->lru);
  }
  ++e->failures;
  e->last_attempt = now;
}

std::chrono::seconds RateLimiter::Admit(std::string_view name, std::string_view remote) {
  const MonoTime now = clock_.Now();
  const std::string name_key = NameKey(name);
  std::chrono::nanoseconds wait = Wait(name_key, now);
  if (!remote.empty()) wait = std::max(wait, Wait(RemoteKey(remote), now));
  if (wait > std::chrono::nanoseconds(0)) {
    // Rounded up: retrying after the advertised time must succeed.
    return std::chrono::ceil<std::chrono::seconds>(wait);
  }
  Count(name_key, now);
  if (!remote.empty()) Count(RemoteKey(remote), now);
  return std::chrono::seconds(0);
}

void RateLimiter::Succeeded(std::string_view name, std::string_view remote) {
  Erase(NameKey(name));
  if (remote.empty()) return;
  if (Entry* e = Find(RemoteKey(remote), clock_.Now()); e != nullptr && e->failures > 0) {
    --e->failures;
  }
}

Status TooManyFailedLoginsError(std::chrono::seconds retry_after) {
  return ResourceExhaustedError(std::string(kTooManyPrefix) + std::to_string(retry_after.count()) +
                                " s");
}

std::optional<int64_t> RetryAfterSeconds(const Status& status) {
  if (status.code() != StatusCode::kResourceExhausted) return std::nullopt;
  const std::string& m = status.message();
  const size_t at = m.rfind(kTooManyPrefix);
  if (at == std::string::npos) return std::nullopt;
  const char* first = m.data() + at + kTooManyPrefix.size();
  int64_t seconds = 0;
  auto [p, ec] = std::from_chars(first, m.data() + m.size(), seconds);
  if (ec != std::errc() || std::string_view(p, m.data() + m.size() - p) != " s") {
    return std::nullopt;
  }
  return seconds;
}

}  // namespace sightline::auth
