#pragma once
// Histogram: counts observations into fixed buckets (Prometheus' cumulative "le" buckets are
// made at render time) and keeps their sum. Observe() finds the bucket by binary search and
// does two relaxed atomic adds: no lock, no allocation.
//
//   Histogram h(ExponentialBuckets(0.001, 2, 12));  // 1 ms .. 2 s
//   h.Observe(0.004);                                // seconds
//
// A scrape that runs during an Observe may see the count without the sum or the other way
// round; the exposition derives _count from the buckets, so _count and le="+Inf" always agree.
// Threads: every method from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/status.h"
#include "metrics/snapshot.h"

namespace sightline::metrics {

// OK when the bounds are finite and strictly increasing (an empty list is allowed: only the
// "+Inf" bucket).
Status CheckBucketBounds(std::span<const double> upper_bounds);

// `count` bounds: start, start*factor, start*factor^2, ...
std::vector<double> ExponentialBuckets(double start, double factor, int count);

class Histogram {
 public:
  static constexpr MetricType kType = MetricType::kHistogram;

  // `upper_bounds` must pass CheckBucketBounds (the registry checks before it constructs one).
  explicit Histogram(std::vector<double> upper_bounds);

  // A value equal to a bound counts in that bound's bucket (le is "less or equal"); NaN counts
  // in the "+Inf" bucket only.
  void Observe(double value);
  void SnapshotInto(Series& series) const;

 private:
  const std::vector<double> bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

}  // namespace sightline::metrics
