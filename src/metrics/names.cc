#include "metrics/names.h"

#include <set>
#include <string>

namespace sightline::metrics {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsMetricName(std::string_view name) {
  if (name.empty() || IsDigit(name[0])) return false;
  for (char c : name) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '_' && c != ':') return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  if (name.empty() || IsDigit(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

Status CheckFamilyShape(std::string_view name, MetricType type, const std::vector<std::string>& label_names) {
  const std::string quoted = "metric \"" + std::string(name) + "\"";
  if (!IsMetricName(name)) {
    return InvalidArgumentError(quoted + ": a name must match [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    return InvalidArgumentError(quoted + ": a counter's name ends in _total (Prometheus naming)");
  }
  std::set<std::string_view> seen;
  for (const std::string& label : label_names) {
    if (!IsLabelName(label)) {
      return InvalidArgumentError(quoted + ": label \"" + label +
                                  "\" must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __");
    }
    if (type == MetricType::kHistogram && label == "le") {
      return InvalidArgumentError(quoted + ": a histogram cannot have a label \"le\" (its buckets use it)");
    }
    if (!seen.insert(label).second) return InvalidArgumentError(quoted + ": label \"" + label + "\" twice");
  }
  return Status();
}

}  // namespace sightline::metrics
