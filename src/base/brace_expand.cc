#include "base/brace_expand.h"

#include <charconv>
#include <cstdio>

namespace sightline {

Result<std::vector<std::string>> ExpandBraces(std::string_view pattern, size_t max_items) {
  const size_t open = pattern.find('{');
  if (open == std::string_view::npos) return std::vector<std::string>{std::string(pattern)};
  const size_t close = pattern.find('}', open);
  if (close == std::string_view::npos) {
    return InvalidArgumentError("'" + std::string(pattern) + "': unterminated '{'");
  }
  const std::string_view range = pattern.substr(open + 1, close - open - 1);
  const size_t dots = range.find("..");
  auto bad = [&] {
    return InvalidArgumentError("'" + std::string(pattern) + "': bad range '{" + std::string(range) +
                                "}', expected {FIRST..LAST} with FIRST <= LAST");
  };
  if (dots == std::string_view::npos) return bad();
  const std::string_view first_text = range.substr(0, dots), last_text = range.substr(dots + 2);
  long first = 0, last = 0;
  auto parse = [](std::string_view t, long* v) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *v);
    return !t.empty() && ec == std::errc() && p == t.data() + t.size() && *v >= 0;
  };
  if (!parse(first_text, &first) || !parse(last_text, &last) || first > last) return bad();
  const int width = first_text.size() > 1 && first_text[0] == '0' ? static_cast<int>(first_text.size()) : 0;

  ASSIGN_OR_RETURN(std::vector<std::string> tails, ExpandBraces(pattern.substr(close + 1), max_items));
  const size_t count = static_cast<size_t>(last - first + 1);
  if (count > max_items || count * tails.size() > max_items) {
    return InvalidArgumentError("'" + std::string(pattern) + "': expands to more than " +
                                std::to_string(max_items) + " items");
  }
  std::vector<std::string> out;
  out.reserve(count * tails.size());
  const std::string head(pattern.substr(0, open));
  for (long i = first; i <= last; ++i) {
    char num[32];
    std::snprintf(num, sizeof num, "%0*ld", width, i);
    for (const std::string& tail : tails) out.push_back(head + num + tail);
  }
  return out;
}

}  // namespace sightline
