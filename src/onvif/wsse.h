#pragma once
// WS-Security UsernameToken with a password digest (OASIS UsernameToken Profile 1.0, section
// 3.1), the authentication every ONVIF device accepts: the SOAP header carries the user, a
// random nonce, the creation time and Base64(SHA-1(nonce + created + password)). The creation
// time must be on the camera's clock: cameras refuse tokens more than a few minutes off, so the
// client adds the offset it measured with GetSystemDateAndTime. Pure; SHA-1 from OpenSSL.
// Both sides: the client builds tokens, camsim checks them.

#include <chrono>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::onvif {

using WallTime = std::chrono::system_clock::time_point;

struct UsernameToken {
  std::string user;
  std::string nonce;    // base64, as sent
  std::string created;  // xsd:dateTime, as sent (e.g. "2026-12-07T17:03:21Z")
  std::string digest;   // base64 of the SHA-1 digest
};

// Base64(SHA-1(nonce + created + password)), `nonce` raw bytes.
std::string PasswordDigest(ByteSpan nonce, std::string_view created, std::string_view password);

// A token for `user`/`password` created at `created` (the camera's clock) with `nonce`
// (16 random bytes; see RandomNonce).
UsernameToken MakeUsernameToken(std::string_view user, std::string_view password, ByteSpan nonce,
                                WallTime created);
Bytes RandomNonce();

// The <wsse:Security> header element for `token`, with its namespaces declared on itself.
std::string SecurityHeaderXml(const UsernameToken& token);

// Server side: the UsernameToken inside an envelope's Header (matched by local names), or
// NotFound if there is none, InvalidArgument if it is incomplete or not a digest.
Result<UsernameToken> ParseUsernameToken(pugi::xml_node header);
// Checks `token` against `password`, and that its creation time is within `max_skew` of `now`.
Status VerifyUsernameToken(const UsernameToken& token, std::string_view password, WallTime now,
                           std::chrono::seconds max_skew);

// xsd:dateTime in UTC with a 'Z', whole seconds: "2026-12-07T17:03:21Z".
std::string FormatDateTime(WallTime t);
// Parses xsd:dateTime with optional fraction and 'Z' or a "+hh:mm" offset.
Result<WallTime> ParseDateTime(std::string_view text);

}  // namespace sightline::onvif
