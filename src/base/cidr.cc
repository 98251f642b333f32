#include "base/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace sightline {
namespace {

struct Address {
  bool v4 = false;
  std::array<uint8_t, 16> bytes{};
};

constexpr uint8_t kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses become IPv4.
std::optional<Address> ParseAddress(std::string_view text) {
  char buf[INET6_ADDRSTRLEN];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  if (std::memcmp(a.bytes.data(), kV4Mapped, sizeof kV4Mapped) == 0) {
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::memset(a.bytes.data() + 4, 0, 12);
    a.v4 = true;
  }
  return a;
}

// Whether the first `bits` bits of `a` and `b` agree.
bool SamePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  const size_t slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  std::optional<Address> address = ParseAddress(host);
  // A mapped address written as the network would silently become IPv4: refuse the ambiguity.
  if (!address || (address->v4 && host.find(':') != std::string_view::npos)) {
    return InvalidArgumentError(quoted +
                                " is not an IP address or network (for example 10.0.0.0/8, "
                                "192.0.2.7 or fd00::/8)");
  }
  const int max_bits = address->v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
        bits > max_bits) {
      return InvalidArgumentError(quoted + ": the prefix length must be 0 to " + std::to_string(max_bits));
    }
  }
  const std::array<uint8_t, 16>& host_bits = address->bytes;
  // Bits beyond the prefix must be zero: "10.1.2.3/8" is more likely a typo than meant.
  for (int i = 0; i < max_bits; ++i) {
    if (i >= bits && (host_bits[i / 8] & (0x80 >> (i % 8)))) {
      return InvalidArgumentError(quoted + " has address bits set beyond its /" + std::to_string(bits) +
                                  " prefix (did you mean the network address?)");
    }
  }
  Cidr c;
  c.v4_ = address->v4;
  c.bytes_ = address->bytes;
  c.prefix_bits_ = bits;
  return c;
}

bool Cidr::Contains(std::string_view address) const {
  std::optional<Address> a = ParseAddress(address);
  return a && a->v4 == v4_ && SamePrefix(a->bytes, bytes_, prefix_bits_);
}

std::string Cidr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = "";
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix_bits_);
}

}  // namespace sightline
