#pragma once
// Counter: a count that only goes up (events, bytes), and Gauge: a value that goes up and down
// (viewers, free bytes). Each is one relaxed atomic, so the hot path pays one uncontended
// atomic add and takes no lock; a scrape reads it without stopping the writers.
//
// Threads: every method from any thread. Owned by a Registry (registry.h), which hands out
// pointers that stay valid as long as it.

#include <atomic>
#include <cstdint>

#include "metrics/snapshot.h"

namespace sightline::metrics {

class Counter {
 public:
  static constexpr MetricType kType = MetricType::kCounter;

  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }
  void SnapshotInto(Series& series) const { series.value = static_cast<double>(value()); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  static constexpr MetricType kType = MetricType::kGauge;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }
  void SnapshotInto(Series& series) const { series.value = value(); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace sightline::metrics
