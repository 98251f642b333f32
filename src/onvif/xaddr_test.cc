#include "onvif/xaddr.h"

#include <gtest/gtest.h>

namespace sightline::onvif {
namespace {

HttpUrl Base() {
  auto b = ParseHttpUrl("http://192.0.2.10:8080/onvif/device_service");
  EXPECT_TRUE(b.ok()) << b.status();
  return *b;
}

TEST(OnvifXAddrTest, UrlsAreSplitWithDefaultPorts) {
  auto u = ParseHttpUrl("HTTP://cam.local/onvif/device_service?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "cam.local");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/onvif/device_service?x=1");
  auto s = ParseHttpUrl("https://[fd00::5]:8443");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->host, "fd00::5");
  EXPECT_EQ(s->port, 8443);
  EXPECT_EQ(s->target, "/");
  EXPECT_EQ(s->ToString(), "https://[fd00::5]:8443/");
}

TEST(OnvifXAddrTest, BadUrlsSayWhatIsWrong) {
  struct Case {
    const char* url;
    const char* says;
  } cases[] = {
      {"rtsp://cam/x", "not http"},          {"cam/x", "no scheme"},
      {"http://:80/x", "no host"},           {"http://cam:0/x", "bad port"},
      {"http://cam:99999/x", "bad port"},    {"http://admin:pw@cam/x", "credentials"},
      {"http://cam/a b", "spaces"},          {"http://[fd00::1/x", "unclosed"},
      {"http://ca$m/x", "bad character"},
  };
  for (const Case& c : cases) {
    auto r = ParseHttpUrl(c.url);
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status();
  }
}

TEST(OnvifXAddrTest, DeviceServiceUrlFromWhatAUserTypes) {
  auto bare = DeviceServiceUrl("192.0.2.10");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->ToString(), "http://192.0.2.10:80/onvif/device_service");
  auto port = DeviceServiceUrl("192.0.2.10:8000");
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->ToString(), "http://192.0.2.10:8000/onvif/device_service");
  auto full = DeviceServiceUrl("http://192.0.2.10/onvif/services");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->target, "/onvif/services");
  EXPECT_FALSE(DeviceServiceUrl("").ok());
  EXPECT_FALSE(DeviceServiceUrl("host:port").ok());
}

// go2rtc#884 and the like: an internal IP, a wrong port, localhost or a bare path all end up on
// the origin we reached, with the XAddr's path.
TEST(OnvifXAddrTest, XAddrsAreRebasedOntoTheOriginWeUsed) {
  for (const char* x : {"http://10.0.0.64/onvif/Media", "http://10.0.0.64:80/onvif/Media",
                        "http://localhost:8999/onvif/Media", "/onvif/Media", "https://cam.internal/onvif/Media"}) {
    auto r = RebaseXAddr(x, Base());
    ASSERT_TRUE(r.ok()) << x << ": " << r.status();
    EXPECT_EQ(r->ToString(), "http://192.0.2.10:8080/onvif/Media") << x;
  }
  auto q = RebaseXAddr("http://10.0.0.64/cgi-bin/onvif?svc=media", Base());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->target, "/cgi-bin/onvif?svc=media");
}

TEST(OnvifXAddrTest, UnusableXAddrsAreErrors) {
  for (const char* x : {"", "onvif/Media", "ftp://cam/x", "http://u:p@cam/x", "/a b"}) {
    auto r = RebaseXAddr(x, Base());
    EXPECT_FALSE(r.ok()) << x;
  }
}

}  // namespace
}  // namespace sightline::onvif
