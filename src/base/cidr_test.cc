#include "base/cidr.h"

#include <gtest/gtest.h>

namespace sightline {
namespace {

Cidr Must(std::string_view text) {
  Result<Cidr> c = Cidr::Parse(text);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : *Cidr::Parse("0.0.0.0/32");
}

TEST(CidrTest, Ipv4NetworksAndHosts) {
  const Cidr net = Must("10.0.0.0/8");
  EXPECT_TRUE(net.Contains("10.255.1.2"));
  EXPECT_FALSE(net.Contains("11.0.0.1"));
  EXPECT_FALSE(net.Contains("not an address"));
  EXPECT_FALSE(net.Contains(""));
  const Cidr host = Must("192.0.2.7");
  EXPECT_EQ(host.ToString(), "192.0.2.7/32");
  EXPECT_TRUE(host.Contains("192.0.2.7"));
  EXPECT_FALSE(host.Contains("192.0.2.8"));
  EXPECT_TRUE(Must("0.0.0.0/0").Contains("203.0.113.9"));
  EXPECT_TRUE(Must("172.16.0.0/12").Contains("172.31.255.255"));
  EXPECT_FALSE(Must("172.16.0.0/12").Contains("172.32.0.0"));
}

TEST(CidrTest, Ipv6AndMappedIpv4Clients) {
  const Cidr net = Must("fd00::/8");
  EXPECT_TRUE(net.Contains("fd12:3456::1"));
  EXPECT_FALSE(net.Contains("fe80::1"));
  EXPECT_FALSE(net.Contains("10.0.0.1"));
  EXPECT_TRUE(Must("::1").Contains("::1"));
  // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d.
  EXPECT_TRUE(Must("127.0.0.0/8").Contains("::ffff:127.0.0.1"));
  EXPECT_FALSE(Must("::/0").Contains("127.0.0.1"));
}

TEST(CidrTest, ErrorsQuoteTheTextAndSayWhatIsWrong) {
  Result<Cidr> c = Cidr::Parse("10.0.0.0/33");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("\"10.0.0.0/33\": the prefix length must be 0 to 32"),
            std::string::npos)
      << c.status();
  c = Cidr::Parse("10.1.2.3/8");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("beyond its /8 prefix"), std::string::npos) << c.status();
  for (const char* bad : {"", "lan", "10.0.0.0/", "10.0.0.0/x", "10.0.0/8", "::ffff:10.0.0.0/104", "/8"}) {
    EXPECT_FALSE(Cidr::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sightline
