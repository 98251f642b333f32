#pragma once
// Command: the start every subcommand shares. Parses its flags, answers --help, checks the
// required flags, applies --log-level and --log-format, and reports usage errors as
// "sightline NAME: ..." with exit status 2, so each subcommand's main reads as what it does.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/flags.h"
#include "base/status.h"

namespace sightline::app {

class Command {
 public:
  Command(std::string_view name, const char* help) : name_(name), help_(help) {}

  // An exit status when the command must end now: 0 after --help, 2 on a usage error.
  // "log-level" and "log-format" specs are handled here. Positional arguments are refused
  // unless allowed.
  std::optional<int> Parse(const std::vector<Flags::Spec>& specs, int argc, char** argv,
                           std::initializer_list<std::string_view> required = {},
                           bool allow_positional = false);
  const Flags& flags() const { return *flags_; }

  // Prints "sightline NAME: message" on stderr and returns `exit_status`.
  int Fail(const Status& status, int exit_status) const;

 private:
  std::string name_;
  const char* help_;
  std::optional<Flags> flags_;
};

}  // namespace sightline::app
