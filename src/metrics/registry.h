#pragma once
// Registry: the metrics of one process. It owns instruments (counter.h, histogram.h) for what
// is counted nowhere else, and runs collectors that read statistics the components already
// keep (the RTSP client's frame counts, the index writer's deletions...) at scrape time, so
// nothing is counted twice and the hot paths pay nothing for metrics they already count.
//
//   metrics::Registry registry;
//   ASSIGN_OR_RETURN(metrics::Histogram* commit, registry.AddHistogram(
//       "sightline_index_commit_seconds", "Time to commit one index transaction.", bounds));
//   registry.AddCollector([&](std::vector<metrics::FamilySnapshot>& out) { ... });
//   std::string text = *metrics::RenderText(registry.Collect());
//
// Registration errors (a bad name, a name used twice, bad bucket bounds) name the family.
// Threads: every method from any thread. Collectors run on the thread calling Collect() and
// must not call back into the registry. Pointers handed out stay valid as long as the registry.

#include <array>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "metrics/counter.h"
#include "metrics/family.h"
#include "metrics/histogram.h"
#include "metrics/names.h"
#include "metrics/snapshot.h"

namespace sightline::metrics {

class Registry {
 public:
  using Collector = std::function<void(std::vector<FamilySnapshot>& out)>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // A labelled family of Counter, Gauge or Histogram (`bucket_bounds`: histograms only).
  template <class T, size_t N>
  Result<Family<T, N>*> AddFamily(std::string name, std::string help, std::array<std::string, N> label_names,
                                  std::vector<double> bucket_bounds = {}) {
    static_assert(std::is_same_v<T, Counter> || std::is_same_v<T, Gauge> || std::is_same_v<T, Histogram>);
    RETURN_IF_ERROR(CheckNew(name, T::kType, {label_names.begin(), label_names.end()}, bucket_bounds));
    std::function<std::unique_ptr<T>()> make;
    if constexpr (std::is_same_v<T, Histogram>) {
      make = [bounds = std::move(bucket_bounds)] { return std::make_unique<Histogram>(bounds); };
    } else {
      make = [] { return std::make_unique<T>(); };
    }
    auto family = std::make_unique<Family<T, N>>(std::move(name), std::move(help), std::move(label_names),
                                                 std::move(make));
    Family<T, N>* raw = family.get();
    MutexLock lock(mu_);
    families_.push_back(std::move(family));
    return raw;
  }

  // Families without labels: the one instrument, scraped (as 0) from registration on.
  Result<Counter*> AddCounter(std::string name, std::string help);
  Result<Gauge*> AddGauge(std::string name, std::string help);
  Result<Histogram*> AddHistogram(std::string name, std::string help, std::vector<double> bucket_bounds);

  void AddCollector(Collector collector);

  // Every registered family in registration order, then what the collectors add, in theirs.
  // Collector output is not checked here: RenderText refuses what breaks the format.
  std::vector<FamilySnapshot> Collect() const;

 private:
  // Checks the shape and the bounds and reserves the name.
  Status CheckNew(const std::string& name, MetricType type, const std::vector<std::string>& label_names,
                  const std::vector<double>& bucket_bounds);

  mutable Mutex mu_;
  std::set<std::string> names_ SL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<internal::FamilyBase>> families_ SL_GUARDED_BY(mu_);
  std::vector<Collector> collectors_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::metrics
