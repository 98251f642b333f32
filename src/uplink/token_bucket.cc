#include "uplink/token_bucket.h"

#include <algorithm>

namespace sightline::uplink {

TokenBucket::TokenBucket(int64_t bytes_per_s, int64_t burst_bytes, const Clock& clock)
    : bytes_per_s_(bytes_per_s),
      burst_bytes_(burst_bytes),
      clock_(clock),
      tokens_(static_cast<double>(burst_bytes)),
      last_(clock.Now()) {}

void TokenBucket::Refill() {
  const MonoTime now = clock_.Now();
  const double elapsed_s = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(static_cast<double>(burst_bytes_), tokens_ + elapsed_s * static_cast<double>(bytes_per_s_));
}

bool TokenBucket::TryTake(size_t bytes) {
  Refill();
  const double want = std::min(static_cast<double>(bytes), static_cast<double>(burst_bytes_));
  if (tokens_ < want) return false;
  tokens_ -= static_cast<double>(bytes);
  tokens_ = std::max(tokens_, 0.0);
  return true;
}

}  // namespace sightline::uplink
