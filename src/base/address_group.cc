#include "base/address_group.h"

#include <arpa/inet.h>

#include <array>
#include <cstdio>
#include <cstring>

namespace sightline {
namespace {

constexpr size_t kMaxOtherBytes = 64;

std::string Ipv4Group(const unsigned char* a) {
  char text[32];
  std::snprintf(text, sizeof text, "%u.%u.%u.0/24", a[0], a[1], a[2]);
  return text;
}

}  // namespace

std::string AddressGroup(std::string_view address) {
  if (address.empty()) return {};
  if (address.size() >= INET6_ADDRSTRLEN) return std::string(address.substr(0, kMaxOtherBytes));
  char text[INET6_ADDRSTRLEN];
  std::memcpy(text, address.data(), address.size());
  text[address.size()] = '\0';

  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text, bytes.data()) == 1) return Ipv4Group(bytes.data());
  if (inet_pton(AF_INET6, text, bytes.data()) != 1) return std::string(address.substr(0, kMaxOtherBytes));
  static constexpr unsigned char kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes.data(), kV4Mapped, sizeof kV4Mapped) == 0) return Ipv4Group(bytes.data() + 12);
  // The first 64 bits, the rest zero, in the canonical text form (RFC 5952).
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  char group[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes.data(), group, sizeof group) == nullptr) {
    return std::string(address.substr(0, kMaxOtherBytes));
  }
  return std::string(group) + "/64";
}

}  // namespace sightline
