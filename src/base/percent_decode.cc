#include "base/percent_decode.h"

namespace sightline {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (s.size() - i < 3) return InvalidArgumentError("truncated %-escape at offset " + std::to_string(i));
      const int h = HexValue(s[i + 1]);
      const int l = HexValue(s[i + 2]);
      if (h < 0 || l < 0) return InvalidArgumentError("bad %-escape at offset " + std::to_string(i));
      out += static_cast<char>(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace sightline
