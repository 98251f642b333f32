#include "base/flags.h"

#include <charconv>

namespace sightline {

Result<Flags> Flags::Parse(const std::vector<Spec>& specs, int argc, char** argv, int first) {
  Flags f;
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      f.help_ = true;
      continue;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      f.positional_.emplace_back(arg);
      continue;
    }
    std::string_view body = arg.substr(2);
    std::string_view name = body;
    std::string value;
    bool has_inline = false;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_inline = true;
    }
    const Spec* spec = nullptr;
    for (const Spec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return InvalidArgumentError("unknown flag --" + std::string(name));
    if (spec->takes_value && !has_inline) {
      if (i + 1 >= argc) return InvalidArgumentError("flag --" + std::string(name) + " needs a value");
      value = argv[++i];
    } else if (!spec->takes_value) {
      if (has_inline) return InvalidArgumentError("flag --" + std::string(name) + " takes no value");
      value = "true";
    }
    auto& vals = f.values_[std::string(name)];
    if (!spec->repeated) vals.clear();
    vals.push_back(std::move(value));
  }
  return f;
}

bool Flags::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Flags::Get(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second.back();
}

const std::vector<std::string>& Flags::GetAll(std::string_view name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

Result<int64_t> Flags::GetInt(std::string_view name, int64_t fallback) const {
  if (!Has(name)) return fallback;
  std::string v = Get(name);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    return InvalidArgumentError("flag --" + std::string(name) + ": not an integer: '" + v + "'");
  return out;
}

Result<double> Flags::GetDouble(std::string_view name, double fallback) const {
  if (!Has(name)) return fallback;
  std::string v = Get(name);
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec == std::errc() && p == v.data() + v.size()) return out;
  return InvalidArgumentError("flag --" + std::string(name) + ": not a number: '" + v + "'");
}

}  // namespace sightline
