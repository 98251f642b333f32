#include "config/env.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace sightline::config {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool IsValidName(std::string_view name) {
  if (name.empty() || !IsNameStart(name.front())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> ProcessEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  std::vector<std::string_view> unset;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.push_back(text[i++]);
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("\"${\" without a closing \"}\" (write \"$${\" for a literal \"${\")");
    }
    const std::string_view name = text.substr(i + 2, close - i - 2);
    if (!IsValidName(name)) {
      return InvalidArgumentError("bad variable name \"${" + std::string(name) +
                                  "}\": expected letters, digits and _, not starting with a digit");
    }
    if (std::optional<std::string> value = env(name)) {
      out += *value;
    } else if (std::find(unset.begin(), unset.end(), name) == unset.end()) {
      unset.push_back(name);
    }
    i = close + 1;
  }
  if (unset.empty()) return out;
  std::string m = unset.size() == 1 ? "environment variable " : "environment variables ";
  for (size_t k = 0; k < unset.size(); ++k) {
    if (k > 0) m += ", ";
    m.append(unset[k]);
  }
  m += unset.size() == 1 ? " is not set" : " are not set";
  return InvalidArgumentError(std::move(m));
}

}  // namespace sightline::config
