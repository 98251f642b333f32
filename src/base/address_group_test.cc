#include "base/address_group.h"

#include <gtest/gtest.h>

namespace sightline {
namespace {

TEST(AddressGroupTest, Ipv4ByTheSlash24) {
  EXPECT_EQ(AddressGroup("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(AddressGroup("192.0.2.1"), AddressGroup("192.0.2.254"));
  EXPECT_NE(AddressGroup("192.0.2.1"), AddressGroup("192.0.3.1"));
  EXPECT_EQ(AddressGroup("127.0.0.1"), "127.0.0.0/24");
  EXPECT_EQ(AddressGroup("0.0.0.0"), "0.0.0.0/24");
  EXPECT_EQ(AddressGroup("255.255.255.255"), "255.255.255.0/24");
}

TEST(AddressGroupTest, Ipv6ByTheSlash64) {
  EXPECT_EQ(AddressGroup("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"));
  EXPECT_NE(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:db8:1:3::1"));
  EXPECT_EQ(AddressGroup("::1"), "::/64");
  EXPECT_EQ(AddressGroup("fe80::1"), "fe80::/64");
}

TEST(AddressGroupTest, Ipv4MappedCountsAsIpv4) {
  EXPECT_EQ(AddressGroup("::ffff:192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(AddressGroup("::ffff:c000:24d"), "192.0.2.0/24");
}

TEST(AddressGroupTest, OtherTextIsItsOwnGroup) {
  EXPECT_EQ(AddressGroup(""), "");
  EXPECT_EQ(AddressGroup("local"), "local");
  EXPECT_EQ(AddressGroup("192.0.2.777"), "192.0.2.777");
  EXPECT_EQ(AddressGroup("1.2.3.4/24"), "1.2.3.4/24");
  const std::string long_text(200, 'a');
  EXPECT_EQ(AddressGroup(long_text), long_text);
}

}  // namespace
}  // namespace sightline
