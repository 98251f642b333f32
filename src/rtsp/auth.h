#pragma once
// RTSP authentication (RFC 2326 section 16.x, RFC 2617/7616 MD5 Digest, RFC 7617 Basic):
// parsing challenges, answering them as a client, and checking answers as a server (camsim).
// Pure; MD5 from OpenSSL.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::rtsp {

struct AuthChallenge {
  enum class Scheme { kBasic, kDigest } scheme = Scheme::kBasic;
  std::string realm;
  std::string nonce;   // Digest
  std::string opaque;  // Digest, echoed back
  std::string algorithm;  // Digest: "MD5" or empty
  std::string qop;     // Digest: "auth" if offered
  bool stale = false;
};

// Parses one WWW-Authenticate header value.
Result<AuthChallenge> ParseAuthChallenge(std::string_view value);
// Picks the strongest supported challenge (Digest MD5 over Basic) from all of a response's
// WWW-Authenticate values, or an error naming what was offered.
Result<AuthChallenge> ChooseChallenge(const std::vector<std::string_view>& values);

struct Credentials {
  std::string user;
  std::string password;
};

// Computes the value of an Authorization header for a request. `nc` and `cnonce` are used
// only with qop=auth.
std::string AuthorizationHeader(const AuthChallenge& c, const Credentials& cred,
                                std::string_view method, std::string_view uri, uint32_t nc = 1,
                                std::string_view cnonce = "0a4f113b");

// Server side: checks a Digest Authorization header value against the expected credentials,
// realm and the nonce the server issued.
bool VerifyDigestAuthorization(std::string_view header_value, const Credentials& cred,
                               std::string_view realm, std::string_view nonce,
                               std::string_view method);

std::string Md5Hex(std::string_view data);

}  // namespace sightline::rtsp
