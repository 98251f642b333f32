#include "app/command.h"

#include <cstdio>

#include "base/logging.h"

namespace sightline::app {

std::optional<int> Command::Parse(const std::vector<Flags::Spec>& specs, int argc, char** argv,
                                  std::initializer_list<std::string_view> required,
                                  bool allow_positional) {
  Result<Flags> flags = Flags::Parse(specs, argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "sightline %s: %s\n\n%s", name_.c_str(), flags.status().message().c_str(),
                 help_);
    return 2;
  }
  flags_ = std::move(*flags);
  if (flags_->help()) {
    std::fputs(help_, stdout);
    return 0;
  }
  if (!allow_positional && !flags_->positional().empty()) {
    return Fail(InvalidArgumentError("unexpected argument '" + flags_->positional()[0] + "'"), 2);
  }
  for (std::string_view r : required) {
    if (!flags_->Has(r)) return Fail(InvalidArgumentError("--" + std::string(r) + " is required"), 2);
  }
  if (flags_->Has("log-level")) {
    LogLevel level = LogLevel::kInfo;
    if (!ParseLogLevel(flags_->Get("log-level"), &level)) {
      return Fail(InvalidArgumentError("--log-level: unknown level '" + flags_->Get("log-level") + "'"), 2);
    }
    SetMinLogLevel(level);
  }
  if (flags_->Has("log-format")) {
    LogFormat format = LogFormat::kText;
    if (!ParseLogFormat(flags_->Get("log-format"), &format)) {
      return Fail(InvalidArgumentError("--log-format: unknown format '" + flags_->Get("log-format") +
                                       "' (text or json)"), 2);
    }
    SetLogFormat(format);
  }
  return std::nullopt;
}

int Command::Fail(const Status& status, int exit_status) const {
  std::fprintf(stderr, "sightline %s: %s\n", name_.c_str(), status.message().c_str());
  return exit_status;
}

}  // namespace sightline::app
