#pragma once
// AddressGroup: the key under which per-client limits count a remote address. One IPv4 host
// or one IPv6 host rarely stands alone: an attacker given an IPv6 /64 (the smallest prefix an
// ISP hands out, RFC 6177) has 2^64 addresses, and one with a few IPv4 addresses usually has
// them in one /24. Limits keyed by the whole address would count each as a new client.
//
//   AddressGroup("192.0.2.77")          == "192.0.2.0/24"
//   AddressGroup("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
//   AddressGroup("::ffff:192.0.2.77")   == "192.0.2.0/24"  (IPv4-mapped, RFC 4291 2.5.5.2)
//   AddressGroup("127.4.0.9")           == "127.4.0.0/24"
//   AddressGroup("")                    == ""              (a local tool: not a client)
//
// Text that is not an IP address is returned as it is (cut to 64 bytes), so a caller that
// passes something else still gets a bounded, stable key. Pure; thread-safe.

#include <string>
#include <string_view>

namespace sightline {

std::string AddressGroup(std::string_view address);

}  // namespace sightline
