#pragma once
// JSON helpers of the API (nlohmann::json): request bodies in, the shapes of docs/ref/api.md out.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/user.h"
#include "base/result.h"
#include "http/request.h"

namespace sightline::api {

// The request's body as a JSON object. Another Content-Type is Unimplemented (HTTP 415: with
// the SameSite cookie this is what stops cross-site form posts); malformed JSON InvalidArgument.
Result<nlohmann::json> ParseJsonBody(const http::Request& request);
// body[key] if it is a string, else "".
std::string JsonString(const nlohmann::json& body, const char* key);

// body[key] as an integer or a boolean; `fallback` when absent, InvalidArgument (naming the
// key) when it has another type.
Result<int64_t> JsonInt(const nlohmann::json& body, const char* key,
                        std::optional<int64_t> fallback = std::nullopt);
Result<bool> JsonBool(const nlohmann::json& body, const char* key, bool fallback);

// docs/ref/api.md `User`; `cameras` are those the user may view.
nlohmann::json UserJson(const auth::User& user, const std::vector<std::string>& cameras);

}  // namespace sightline::api
