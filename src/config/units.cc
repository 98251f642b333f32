#include "config/units.h"

#include <span>
#include <string>

namespace sightline::config {
namespace {

struct Unit {
  std::string_view name;  // "" is the unit of a bare number
  int64_t multiplier;
};

constexpr int64_t kKilo = 1000;
constexpr int64_t kKibi = 1024;

constexpr Unit kSizeUnits[] = {
    {"", 1},
    {"B", 1},
    {"KB", kKilo},
    {"MB", kKilo * kKilo},
    {"GB", kKilo * kKilo * kKilo},
    {"TB", kKilo * kKilo * kKilo * kKilo},
    {"KiB", kKibi},
    {"MiB", kKibi * kKibi},
    {"GiB", kKibi * kKibi * kKibi},
    {"TiB", kKibi * kKibi * kKibi * kKibi},
};

constexpr Unit kDurationUnits[] = {
    {"", 1000},
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
};

std::string UnitList(std::span<const Unit> units) {
  std::string out;
  for (const Unit& u : units) {
    if (u.name.empty()) continue;
    if (!out.empty()) out += ", ";
    out += u.name;
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// `kind` names the quantity in messages ("size", "duration"); `bare` says what a bare number is.
Result<int64_t> ParseScaled(std::string_view text, std::span<const Unit> units,
                            std::string_view kind, std::string_view bare) {
  auto fail = [&](std::string_view why) {
    std::string m = "bad ";
    m.append(kind).append(" \"").append(text).append("\": ").append(why);
    return InvalidArgumentError(std::move(m));
  };
  std::string_view s = text;
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);

  size_t digits = 0;
  int64_t number = 0;
  bool overflow = false;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
    overflow = overflow || __builtin_mul_overflow(number, 10, &number) ||
               __builtin_add_overflow(number, s[digits] - '0', &number);
    ++digits;
  }
  if (digits == 0) {
    return fail("expected a non-negative integer (" + std::string(bare) + ") or an integer with a unit (" +
                UnitList(units) + ")");
  }
  std::string_view unit = s.substr(digits);
  if (!unit.empty() && (unit.front() == '.' || unit.front() == ',')) {
    return fail("fractions are not supported; use a smaller unit");
  }
  while (!unit.empty() && IsSpace(unit.front())) unit.remove_prefix(1);
  for (const Unit& u : units) {
    if (u.name != unit) continue;
    int64_t value = 0;
    if (overflow || __builtin_mul_overflow(number, u.multiplier, &value)) return fail("too large");
    return value;
  }
  return fail("unknown unit \"" + std::string(unit) + "\" (units: " + UnitList(units) + ")");
}

}  // namespace

Result<int64_t> ParseSizeBytes(std::string_view text) {
  return ParseScaled(text, kSizeUnits, "size", "bytes");
}

Result<int64_t> ParseDurationMs(std::string_view text) {
  return ParseScaled(text, kDurationUnits, "duration", "seconds");
}

}  // namespace sightline::config
