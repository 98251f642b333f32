#include "metrics/exposition.h"

#include <charconv>
#include <cmath>
#include <set>

#include "metrics/names.h"

namespace sightline::metrics {
namespace {

// 2^53: beyond it not every integer is a double, and the shortest form is clearer.
constexpr double kMaxExactInteger = 9007199254740992.0;

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="x",b="y"}` with an optional extra label last (a histogram's le); "" when there are none.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

Status CheckSeries(const FamilySnapshot& f) {
  const std::string quoted = "metric \"" + f.name + "\"";
  std::set<std::vector<std::string>> seen;
  for (const Series& s : f.series) {
    if (s.label_values.size() != f.label_names.size()) {
      return InvalidArgumentError(quoted + ": a series has " + std::to_string(s.label_values.size()) +
                                  " label values for " + std::to_string(f.label_names.size()) + " labels");
    }
    if (!seen.insert(s.label_values).second) {
      return InvalidArgumentError(quoted + ": two series with the labels " +
                                  LabelText(f.label_names, s.label_values));
    }
    if (f.type == MetricType::kHistogram &&
        s.histogram.counts.size() != s.histogram.upper_bounds.size() + 1) {
      return InvalidArgumentError(quoted + ": a histogram needs one count per bound plus the +Inf bucket");
    }
  }
  return Status();
}

void RenderHistogram(const FamilySnapshot& f, const Series& s, std::string& out) {
  const HistogramValue& h = s.histogram;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    const std::string le = i < h.upper_bounds.size() ? FormatValue(h.upper_bounds[i]) : "+Inf";
    out += f.name + "_bucket" + LabelText(f.label_names, s.label_values, "le", le) + " " +
           FormatValue(static_cast<double>(cumulative)) + "\n";
  }
  const std::string labels = LabelText(f.label_names, s.label_values);
  out += f.name + "_sum" + labels + " " + FormatValue(h.sum) + "\n";
  out += f.name + "_count" + labels + " " + FormatValue(static_cast<double>(cumulative)) + "\n";
}

void RenderFamily(const FamilySnapshot& f, std::string& out) {
  out += "# HELP " + f.name + " " + EscapeHelp(f.help) + "\n";
  out += "# TYPE " + f.name + " " + std::string(MetricTypeName(f.type)) + "\n";
  for (const Series& s : f.series) {
    if (f.type == MetricType::kHistogram) {
      RenderHistogram(f, s, out);
    } else {
      out += f.name + LabelText(f.label_names, s.label_values) + " " + FormatValue(s.value) + "\n";
    }
  }
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::to_chars_result r{};
  if (value == std::trunc(value) && std::fabs(value) <= kMaxExactInteger) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, value);
  }
  return std::string(buf, r.ptr);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> RenderText(const std::vector<FamilySnapshot>& families) {
  std::set<std::string_view> names;
  std::string out;
  for (const FamilySnapshot& f : families) {
    RETURN_IF_ERROR(CheckFamilyShape(f.name, f.type, f.label_names));
    RETURN_IF_ERROR(CheckSeries(f));
    if (!names.insert(f.name).second) return InvalidArgumentError("metric \"" + f.name + "\" appears twice");
    RenderFamily(f, out);
  }
  return out;
}

}  // namespace sightline::metrics
