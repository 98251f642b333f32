#pragma once
// Family<T, N>: the instruments (Counter, Gauge or Histogram) of one metric family, one per
// combination of its N label values, made on first use:
//
//   Family<Counter, 2>* requests = ...;  // labels {"route", "code"}
//   requests->With({"/api/cameras", "200"}).Increment();
//
// The label count is part of the type, so a call with the wrong number of values does not
// compile. With() takes the family's lock and looks the values up: fine per HTTP request, too
// slow per frame; a hot path keeps the reference it returns (valid as long as the registry).
// Label values must come from bounded sets (configured names, route patterns, status codes):
// every combination ever used is kept and scraped.
//
// Threads: every method from any thread.

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "metrics/snapshot.h"

namespace sightline::metrics {

namespace internal {

// What the registry keeps of each family: its snapshot at scrape time.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  virtual FamilySnapshot Snapshot() const = 0;
};

}  // namespace internal

template <class T, size_t N>
class Family final : public internal::FamilyBase {
 public:
  // Made by Registry::AddFamily, which checked the names; `make` makes one instrument.
  Family(std::string name, std::string help, std::array<std::string, N> label_names,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  T& With(const std::array<std::string_view, N>& label_values) {
    std::array<std::string, N> key;
    for (size_t i = 0; i < N; ++i) key[i] = std::string(label_values[i]);
    MutexLock lock(mu_);
    std::unique_ptr<T>& slot = children_[std::move(key)];
    if (slot == nullptr) slot = make_();
    return *slot;
  }

  FamilySnapshot Snapshot() const override {
    FamilySnapshot out{name_, help_, T::kType, {label_names_.begin(), label_names_.end()}, {}};
    MutexLock lock(mu_);
    for (const auto& [values, instrument] : children_) {
      Series& s = out.series.emplace_back();
      s.label_values.assign(values.begin(), values.end());
      instrument->SnapshotInto(s);
    }
    return out;
  }

 private:
  const std::string name_;
  const std::string help_;
  const std::array<std::string, N> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable Mutex mu_;
  std::map<std::array<std::string, N>, std::unique_ptr<T>> children_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::metrics
