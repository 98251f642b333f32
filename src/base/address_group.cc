#include "base/address_group.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

namespace sightline {
namespace {

std::string Ipv4Group(const uint8_t* a) {
  char out[24];
  std::snprintf(out, sizeof out, "%u.%u.%u.0/24", a[0], a[1], a[2]);
  return out;
}

}  // namespace

std::string AddressGroup(std::string_view address) {
  // inet_pton needs a terminated string; addresses are short, longer text is not one.
  if (address.empty() || address.size() >= INET6_ADDRSTRLEN) return std::string(address);
  const std::string text(address);
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return Ipv4Group(bytes.data());
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return text;
  constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin())) {
    return Ipv4Group(bytes.data() + 12);
  }
  // The first 64 bits, in the canonical text form (RFC 5952), with the rest zero.
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes.data(), out, sizeof out) == nullptr) return text;
  return std::string(out) + "/64";
}

}  // namespace sightline
