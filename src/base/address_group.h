#pragma once
// AddressGroup: the key under which per-address limits count a client. One person or one
// attacker usually holds a whole IPv6 /64 (a home or a cloud instance gets one) and often many
// addresses of one IPv4 /24, so limits per single address are cheap to dodge. The HTTP
// server's per-address connection cap and the login rate limiter both count by this key.

#include <string>
#include <string_view>

namespace sightline {

// "192.0.2.77" -> "192.0.2.0/24"; "2001:db8:1:2:3:4:5:6" -> "2001:db8:1:2::/64"; an
// IPv4-mapped IPv6 address ("::ffff:192.0.2.77") counts as its IPv4 address. Text that is not
// an IP address (a Unix socket peer, "") is returned as it is: its own group.
std::string AddressGroup(std::string_view address);

}  // namespace sightline
