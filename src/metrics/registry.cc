#include "metrics/registry.h"

namespace sightline::metrics {

Status Registry::CheckNew(const std::string& name, MetricType type,
                          const std::vector<std::string>& label_names,
                          const std::vector<double>& bucket_bounds) {
  RETURN_IF_ERROR(CheckFamilyShape(name, type, label_names));
  if (type != MetricType::kHistogram && !bucket_bounds.empty()) {
    return InvalidArgumentError("metric \"" + name + "\": only a histogram has bucket bounds");
  }
  if (Status s = CheckBucketBounds(bucket_bounds); !s.ok()) {
    return InvalidArgumentError("metric \"" + name + "\": " + std::string(s.message()));
  }
  MutexLock lock(mu_);
  if (!names_.insert(name).second) return InvalidArgumentError("metric \"" + name + "\" registered twice");
  return Status();
}

Result<Counter*> Registry::AddCounter(std::string name, std::string help) {
  ASSIGN_OR_RETURN(auto* family, (AddFamily<Counter, 0>(std::move(name), std::move(help), {})));
  return &family->With({});
}

Result<Gauge*> Registry::AddGauge(std::string name, std::string help) {
  ASSIGN_OR_RETURN(auto* family, (AddFamily<Gauge, 0>(std::move(name), std::move(help), {})));
  return &family->With({});
}

Result<Histogram*> Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<double> bucket_bounds) {
  ASSIGN_OR_RETURN(auto* family,
                   (AddFamily<Histogram, 0>(std::move(name), std::move(help), {}, std::move(bucket_bounds))));
  return &family->With({});
}

void Registry::AddCollector(Collector collector) {
  MutexLock lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::vector<FamilySnapshot> Registry::Collect() const {
  std::vector<FamilySnapshot> out;
  std::vector<Collector> collectors;
  {
    MutexLock lock(mu_);
    for (const auto& family : families_) out.push_back(family->Snapshot());
    collectors = collectors_;
  }
  for (const Collector& c : collectors) c(out);
  return out;
}

}  // namespace sightline::metrics
