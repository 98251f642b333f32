#pragma once
// ${NAME} substitution in sightline.yaml strings, so secrets can live in the environment
// (systemd EnvironmentFile, container secrets) instead of the config file. Pure apart from
// ProcessEnv.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::config {

// Looks up one environment variable; nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv). Not safe against a concurrent setenv, like getenv itself.
std::optional<std::string> ProcessEnv(std::string_view name);

// Replaces each ${NAME} (NAME = [A-Za-z_][A-Za-z0-9_]*) with the variable's value; "$${" is a
// literal "${"; any other "$" stays as it is. Values are inserted as they are, never expanded
// again. Errors name the variables (all unset ones at once) and never contain any value.
Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env);

}  // namespace sightline::config
