#pragma once
// A small command-line parser for the `sightline` subcommands: `--name value`, `--name=value`,
// boolean `--name`, repeated flags, and positional arguments. Unknown flags are errors that
// name the flag; `--help` is reported to the caller, which prints its usage text.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline {

class Flags {
 public:
  struct Spec {
    std::string name;        // without dashes
    bool takes_value = true; // false: a boolean switch
    bool repeated = false;
  };

  // Parses argv[first..argc). Fails with the offending flag named.
  static Result<Flags> Parse(const std::vector<Spec>& specs, int argc, char** argv, int first);

  bool help() const { return help_; }
  bool Has(std::string_view name) const;
  // The last value given, or `fallback`.
  std::string Get(std::string_view name, std::string_view fallback = "") const;
  const std::vector<std::string>& GetAll(std::string_view name) const;
  Result<int64_t> GetInt(std::string_view name, int64_t fallback) const;
  Result<double> GetDouble(std::string_view name, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  bool help_ = false;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

}  // namespace sightline
