#pragma once
// The naming rules of the Prometheus data model (prometheus.io/docs/concepts/data_model):
// what a metric name and a label name may look like, and the conventions this project holds
// every family to (counters end in _total; a histogram does not use the label "le", which its
// buckets need). Errors name the offending family or label. Pure; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "metrics/snapshot.h"

namespace sightline::metrics {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus itself).
bool IsLabelName(std::string_view name);

// The family's name, its label names and the conventions above; `help` and series are not
// looked at.
Status CheckFamilyShape(std::string_view name, MetricType type, const std::vector<std::string>& label_names);

}  // namespace sightline::metrics
