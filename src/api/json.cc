#include "api/json.h"

#include <boost/beast/core/string.hpp>

namespace sightline::api {

Result<nlohmann::json> ParseJsonBody(const http::Request& request) {
  // Media types are case-insensitive and may carry whitespace before parameters (RFC 9110
  // section 8.3.1).
  std::string_view type = request.Header("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  if (!boost::beast::iequals(type, "application/json")) {
    return UnimplementedError("The request body must be JSON (Content-Type: application/json).");
  }
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("The request body is not a JSON object.");
  }
  return j;
}

std::string JsonString(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<int64_t> JsonInt(const nlohmann::json& body, const char* key,
                        std::optional<int64_t> fallback) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (fallback.has_value()) return *fallback;
    return InvalidArgumentError(std::string("The field ") + key + " is missing.");
  }
  if (!it->is_number_integer()) {
    return InvalidArgumentError(std::string("The field ") + key + " must be an integer.");
  }
  return it->get<int64_t>();
}

Result<bool> JsonBool(const nlohmann::json& body, const char* key, bool fallback) {
  auto it = body.find(key);
  if (it == body.end()) return fallback;
  if (!it->is_boolean()) {
    return InvalidArgumentError(std::string("The field ") + key + " must be true or false.");
  }
  return it->get<bool>();
}

nlohmann::json UserJson(const auth::User& user, const std::vector<std::string>& cameras) {
  return {{"name", user.name},
          {"role", std::string(auth::RoleName(user.role))},
          {"cameras", cameras},
          {"disabled", user.disabled}};
}

}  // namespace sightline::api
