#include "base/address_group.h"

#include <gtest/gtest.h>

namespace sightline {
namespace {

TEST(AddressGroupTest, Ipv4BySlash24) {
  EXPECT_EQ(AddressGroup("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(AddressGroup("192.0.2.1"), AddressGroup("192.0.2.254"));
  EXPECT_NE(AddressGroup("192.0.2.1"), AddressGroup("192.0.3.1"));
  EXPECT_EQ(AddressGroup("127.4.0.9"), "127.4.0.0/24");
}

TEST(AddressGroupTest, Ipv6BySlash64) {
  EXPECT_EQ(AddressGroup("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:DB8:1:2:ffff:ffff:ffff:ffff"));
  EXPECT_NE(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:db8:1:3::1"));
  EXPECT_EQ(AddressGroup("::1"), "::/64");
}

TEST(AddressGroupTest, V4MappedIsIpv4) {
  EXPECT_EQ(AddressGroup("::ffff:192.0.2.77"), "192.0.2.0/24");
}

TEST(AddressGroupTest, EmptyAndOtherTextStayBounded) {
  EXPECT_EQ(AddressGroup(""), "");
  EXPECT_EQ(AddressGroup("not-an-address"), "not-an-address");
  EXPECT_EQ(AddressGroup(std::string(1000, 'x')).size(), 64u);
}

}  // namespace
}  // namespace sightline
