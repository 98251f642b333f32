#pragma once
// Credential: what a request proves its user with, the session cookie or an API token
// (Authorization: Bearer). Every handler authenticates through it (Context::Authenticate); an
// open live view keeps it to ask again later whether its user still may watch
// (live_sockets.h). It holds the secret itself: keep it no longer than what it authorises.

#include <string>

#include "auth/account_store.h"
#include "base/result.h"
#include "http/request.h"

namespace sightline::api {

struct Credential {
  enum class Kind { kNone, kSession, kApiToken };
  Kind kind = Kind::kNone;
  std::string secret;
};

// A bearer token wins over the session cookie (named `cookie_name`: Context::SessionCookieName),
// as browsers send the cookie whether or not a script also sends a token.
Credential CredentialOf(const http::Request& request, std::string_view cookie_name);

// The user `credential` stands for now; Unauthenticated ("Please log in.") for kNone.
Result<auth::User> Authenticate(auth::AccountStore& accounts, const Credential& credential);

}  // namespace sightline::api
