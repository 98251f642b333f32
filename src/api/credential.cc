#include "api/credential.h"

#include <cctype>

namespace sightline::api {
namespace {

// "Bearer TOKEN" (RFC 6750 section 2.1), else empty.
std::string_view BearerToken(const http::Request& request) {
  std::string_view h = request.Header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (h.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(h[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  return h.substr(kScheme.size());
}

}  // namespace

Credential CredentialOf(const http::Request& request, std::string_view cookie_name) {
  if (std::string_view token = BearerToken(request); !token.empty()) {
    return {Credential::Kind::kApiToken, std::string(token)};
  }
  std::string session = request.Cookie(cookie_name);
  if (session.empty()) return {};
  return {Credential::Kind::kSession, std::move(session)};
}

Result<auth::User> Authenticate(auth::AccountStore& accounts, const Credential& credential) {
  switch (credential.kind) {
    case Credential::Kind::kApiToken: return accounts.AuthenticateToken(credential.secret);
    case Credential::Kind::kSession: return accounts.Authenticate(credential.secret);
    case Credential::Kind::kNone: break;
  }
  return UnauthenticatedError("Please log in.");
}

}  // namespace sightline::api
