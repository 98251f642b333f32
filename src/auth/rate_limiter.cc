#include "auth/rate_limiter.h"

#include <algorithm>
#include <charconv>

#include "base/address_group.h"

namespace sightline::auth {
namespace {

constexpr std::string_view kTooManyPrefix = "too many failed logins; retry in ";
// A valid name has at most 64 bytes (CheckUserName); longer text shares the key of its first
// 64 bytes, so no attempt can make a key larger.
constexpr size_t kMaxNameKeyBytes = 64;
// The map node, the list node and the two string headers around each key's text.
constexpr size_t kEntryOverheadBytes = 160;

// Names are case-insensitive (users.name is COLLATE NOCASE), so "Admin" and "admin" must
// share a counter.
std::string LowerName(std::string_view name) {
  std::string key;
  for (char c : name.substr(0, kMaxNameKeyBytes)) {
    key += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return key;
}

std::string NameKey(std::string_view name) { return "name:" + LowerName(name); }
std::string RemoteKey(std::string_view remote) { return "remote:" + AddressGroup(remote); }
std::string TrustKey(std::string_view name, std::string_view remote) {
  return "trust:" + LowerName(name) + '\0' + AddressGroup(remote);
}
size_t CostOf(const std::string& key) { return 2 * key.size() + kEntryOverheadBytes; }

}  // namespace

RateLimiter::RateLimiter(const Clock& clock, RateLimiterOptions options)
    : clock_(clock),
      options_(options),
      global_tat_(clock.Now()) {}

std::chrono::seconds RateLimiter::DelayAfter(int failures) const {
  const int doublings = failures - options_.free_failures;
  if (doublings < 0) return std::chrono::seconds(0);
  // 2^30 s is far beyond any sensible cap; stopping there keeps the shift defined.
  const auto delay = options_.first_delay * (int64_t{1} << std::min(doublings, 30));
  return std::min(delay, options_.max_delay);
}

bool RateLimiter::Expired(const Entry& e, MonoTime now) const {
  const auto window = e.kind == Kind::kTrusted ? options_.trusted_window : options_.window;
  return now - e.last_attempt >= window;
}

RateLimiter::Entry* RateLimiter::Find(const std::string& key, MonoTime now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (Expired(it->second, now)) {
    Erase(key);
    return nullptr;
  }
  return &it->second;
}

void RateLimiter::Erase(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  bytes_ -= CostOf(key);
  LruOf(it->second.kind).erase(it->second.lru);
  entries_.erase(it);
}

void RateLimiter::Sweep(MonoTime now) {
  // Each list is in order of last use, so its expired keys are at its front.
  for (std::list<std::string>* lru : {&lru_, &trusted_lru_}) {
    while (!lru->empty() && Expired(entries_.at(lru->front()), now)) Erase(lru->front());
  }
  while (bytes_ > options_.max_bytes && !lru_.empty()) Erase(lru_.front());
  while (bytes_ > options_.max_bytes && !trusted_lru_.empty()) Erase(trusted_lru_.front());
}

std::chrono::nanoseconds RateLimiter::Wait(const std::string& key, MonoTime now) {
  const Entry* e = Find(key, now);
  if (e == nullptr) return std::chrono::nanoseconds(0);
  const MonoTime allowed = e->last_attempt + DelayAfter(e->failures);
  return std::max(std::chrono::nanoseconds(0), allowed - now);
}

std::chrono::nanoseconds RateLimiter::GlobalInterval() const {
  return std::chrono::nanoseconds(std::chrono::minutes(1)) / options_.global_failures_per_minute;
}

std::chrono::nanoseconds RateLimiter::GlobalWait(MonoTime now) const {
  if (options_.global_failures_per_minute <= 0) return std::chrono::nanoseconds(0);
  const MonoTime next = std::max(global_tat_, now) + GlobalInterval();
  return std::max(std::chrono::nanoseconds(0), next - std::chrono::minutes(1) - now);
}

void RateLimiter::Touch(const std::string& key, Kind kind, MonoTime now) {
  Entry* e = Find(key, now);
  if (e == nullptr) {
    std::list<std::string>& lru = LruOf(kind);
    lru.push_back(key);
    e = &entries_[key];
    e->kind = kind;
    e->lru = std::prev(lru.end());
    bytes_ += CostOf(key);
  } else {
    std::list<std::string>& lru = LruOf(e->kind);
    lru.splice(lru.end(), lru, e->lru);
  }
  if (kind == Kind::kFailures) ++e->failures;
  e->last_attempt = now;
}

std::chrono::seconds RateLimiter::Admit(std::string_view name, std::string_view remote) {
  const MonoTime now = clock_.Now();
  Sweep(now);
  const std::string name_key = NameKey(name);
  const bool tracked_remote = !remote.empty();
  const bool trusted = tracked_remote && Find(TrustKey(name, remote), now) != nullptr;
  std::chrono::nanoseconds wait(0);
  if (!trusted) wait = Wait(name_key, now);
  if (tracked_remote) wait = std::max(wait, Wait(RemoteKey(remote), now));
  if (tracked_remote && !trusted) wait = std::max(wait, GlobalWait(now));
  if (wait > std::chrono::nanoseconds(0)) {
    // Rounded up: retrying after the advertised time must succeed.
    return std::chrono::ceil<std::chrono::seconds>(wait);
  }
  Touch(name_key, Kind::kFailures, now);
  if (tracked_remote) Touch(RemoteKey(remote), Kind::kFailures, now);
  if (tracked_remote && !trusted && options_.global_failures_per_minute > 0) {
    global_tat_ = std::max(global_tat_, now) + GlobalInterval();
  }
  Sweep(now);
  return std::chrono::seconds(0);
}

void RateLimiter::Succeeded(std::string_view name, std::string_view remote) {
  const MonoTime now = clock_.Now();
  Erase(NameKey(name));
  if (remote.empty()) return;
  if (Entry* e = Find(RemoteKey(remote), now); e != nullptr && e->failures > 0) --e->failures;
  const std::string trust_key = TrustKey(name, remote);
  // A trusted pair's attempt drew nothing from the budget, so it gives nothing back (else one
  // valid account would refill the budget for guesses at others).
  if (Find(trust_key, now) == nullptr && options_.global_failures_per_minute > 0) {
    global_tat_ = std::max(now, global_tat_ - GlobalInterval());
  }
  Touch(trust_key, Kind::kTrusted, now);
  Sweep(now);
}

Status TooManyFailedLoginsError(std::chrono::seconds retry_after) {
  return ResourceExhaustedError(std::string(kTooManyPrefix) + std::to_string(retry_after.count()) +
                                " s");
}

std::optional<int64_t> RetryAfterSeconds(const Status& status) {
  if (status.code() != StatusCode::kResourceExhausted && status.code() != StatusCode::kUnavailable) {
    return std::nullopt;
  }
  static constexpr std::string_view kRetryIn = "; retry in ";
  const std::string& m = status.message();
  const size_t at = m.rfind(kRetryIn);
  if (at == std::string::npos) return std::nullopt;
  const char* first = m.data() + at + kRetryIn.size();
  int64_t seconds = 0;
  auto [p, ec] = std::from_chars(first, m.data() + m.size(), seconds);
  if (ec != std::errc() || std::string_view(p, m.data() + m.size() - p) != " s") {
    return std::nullopt;
  }
  return seconds;
}

}  // namespace sightline::auth
