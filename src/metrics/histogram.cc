#include "metrics/histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace sightline::metrics {

Status CheckBucketBounds(std::span<const double> upper_bounds) {
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i])) {
      return InvalidArgumentError("bucket bound " + std::to_string(i) + " is not finite (+Inf is implied)");
    }
    if (i > 0 && upper_bounds[i] <= upper_bounds[i - 1]) {
      return InvalidArgumentError("bucket bound " + std::to_string(i) + " is not above the one before");
    }
  }
  return Status();
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double bound = start;
  for (int i = 0; i < count; ++i, bound *= factor) out.push_back(bound);
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::SnapshotInto(Series& series) const {
  HistogramValue& h = series.histogram;
  h.upper_bounds = bounds_;
  h.counts.resize(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) h.counts[i] = counts_[i].load(std::memory_order_relaxed);
  h.sum = sum_.load(std::memory_order_relaxed);
}

}  // namespace sightline::metrics
