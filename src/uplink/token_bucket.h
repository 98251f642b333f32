#pragma once
// TokenBucket: keeps the forwarder within the site's link budget (`site.link_kbit_s`): bytes
// accrue at the budget's rate up to a burst, and a message goes only when its bytes are there.
// A message larger than the burst goes when the bucket is full (and empties it), so nothing
// is stuck forever. Pure logic on a Clock; one thread.

#include <cstddef>
#include <cstdint>

#include "base/clock.h"

namespace sightline::uplink {

class TokenBucket {
 public:
  TokenBucket(int64_t bytes_per_s, int64_t burst_bytes, const Clock& clock);
  // Takes `bytes` if available; false (taking nothing) otherwise.
  bool TryTake(size_t bytes);

 private:
  void Refill();
  const int64_t bytes_per_s_;
  const int64_t burst_bytes_;
  const Clock& clock_;
  double tokens_;
  MonoTime last_;
};

}  // namespace sightline::uplink
