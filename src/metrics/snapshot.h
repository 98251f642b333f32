#pragma once
// The values a scrape renders: one FamilySnapshot per metric family, read from the registry's
// instruments or made by a collector from statistics kept elsewhere (registry.h). Plain data:
// copy freely; exposition.h turns a list of them into the text format.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sightline::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge", "histogram": the names of the TYPE line.
constexpr std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A histogram's state: counts per bucket (not cumulative), the last one for values above every
// bound (the "+Inf" bucket), and the sum of the observed values.
struct HistogramValue {
  std::vector<double> upper_bounds;  // strictly increasing, finite
  std::vector<uint64_t> counts;      // upper_bounds.size() + 1
  double sum = 0;
};

// One time series of a family: its label values (as many as the family has label names, in
// the same order) and its value; histograms use `histogram` instead of `value`.
struct Series {
  std::vector<std::string> label_values;
  double value = 0;
  HistogramValue histogram;
};

struct FamilySnapshot {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*; counters end in _total
  std::string help;  // one line is best; any text is escaped
  MetricType type = MetricType::kGauge;
  std::vector<std::string> label_names;
  std::vector<Series> series;

  // Appends a counter or gauge series.
  void Add(std::vector<std::string> label_values, double value) {
    series.push_back(Series{std::move(label_values), value, {}});
  }
};

}  // namespace sightline::metrics
