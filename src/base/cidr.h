#pragma once
// Cidr: an IP network in CIDR notation (RFC 4632 section 3.1; RFC 4291 section 2.3 for IPv6),
// for allow-lists of client addresses:
//
//   ParseCidr("10.0.0.0/8"), ParseCidr("192.0.2.7") (one host, /32), ParseCidr("fd00::/8")
//   cidr.Contains("10.1.2.3")
//
// An IPv4-mapped IPv6 address (::ffff:10.1.2.3, what a dual-stack socket reports for an IPv4
// client) is matched as the IPv4 address it carries. Pure; thread-safe.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline {

class Cidr {
 public:
  // The error quotes `text` and says what is wrong (not an address, prefix out of range, bits
  // set beyond the prefix).
  static Result<Cidr> Parse(std::string_view text);

  // False for text that is not an IP address.
  bool Contains(std::string_view address) const;
  // "10.0.0.0/8"
  std::string ToString() const;

 private:
  Cidr() = default;
  bool v4_ = false;
  std::array<uint8_t, 16> bytes_{};  // IPv4 in the first 4
  int prefix_bits_ = 0;
};

}  // namespace sightline
