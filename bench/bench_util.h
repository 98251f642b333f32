#pragma once
// Small helpers the benchmarks in this folder share: durations in milliseconds, percentiles,
// CPU clocks, and a store in a fresh directory.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "base/clock.h"
#include "store/store.h"

namespace sightline::bench {

inline double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The nearest-rank percentile `p` (0..1) of `v`; 0 when `v` is empty.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Seconds of CPU on `clock`: CLOCK_THREAD_CPUTIME_ID for this thread (on a shared machine wall
// time also counts the neighbours), or another thread's clock from pthread_getcpuclockid.
inline double CpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Empties `dir` and returns the options of a store in it: one storage directory `dir`/disk and
// the index `dir`/index.db, on `clock`.
inline store::StoreOptions FreshStoreOptions(const std::string& dir, const Clock& clock) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/disk");
  store::StoreOptions options;
  options.dirs = {{dir + "/disk", 0}};
  options.index_path = dir + "/index.db";
  options.clock = &clock;
  return options;
}

}  // namespace sightline::bench
