#pragma once
// Small text helpers shared by the RTSP, SDP and auth parsers: ASCII-only (protocol tokens are
// ASCII; RFC 2326 section 4.2 header names are case-insensitive), allocation-free except
// AsciiLower. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sightline::rtsp {

inline bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

// Strips spaces, tabs and CR from both ends (cameras pad header values and SDP lines).
inline std::string_view TrimWhitespace(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

inline char AsciiToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiToLower(a[i]) != AsciiToLower(b[i])) return false;
  }
  return true;
}

inline bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiToLower(c);
  return out;
}

// A non-empty run of decimal digits whose value is at most `max`; nullopt otherwise (signs,
// spaces and overflow are rejected).
inline std::optional<uint64_t> ParseDecimal(std::string_view s, uint64_t max) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (digit > max || v > (max - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

}  // namespace sightline::rtsp
