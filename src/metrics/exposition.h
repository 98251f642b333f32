#pragma once
// The Prometheus text exposition format, version 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats): per family a "# HELP" and a "# TYPE"
// line, then one line per series, `name{label="value",...} value`. Histograms become
// cumulative `name_bucket{...,le="B"}` lines ending with le="+Inf", then `name_sum` and
// `name_count`. Help text escapes "\" and newlines; label values also escape '"'.
// Pure; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "metrics/snapshot.h"

namespace sightline::metrics {

// The Content-Type of RenderText's output.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// The text of `families`, in their order. InvalidArgument, naming the family, for what would
// make the output unparsable or ambiguous: a bad metric or label name (names.h), a series
// whose label count differs from the family's, two series with the same labels, two families
// with the same name, a histogram whose counts do not fit its bounds.
Result<std::string> RenderText(const std::vector<FamilySnapshot>& families);

// A sample value as the format writes it: integers without a fraction ("42"), other numbers
// in the shortest form that reads back the same ("0.25", "1e-06"), "NaN", "+Inf", "-Inf".
std::string FormatValue(double value);

// `value` with \ " and newline escaped, for inside a label's quotes.
std::string EscapeLabelValue(std::string_view value);

}  // namespace sightline::metrics
