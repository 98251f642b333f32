#include "rtsp/url.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

TEST(RtspUrlTest, Full) {
  auto u = ParseRtspUrl("rtsp://ad%40min:p%3Ass@cam.local:8554/Streaming/Channels/101?x=1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "cam.local");
  EXPECT_EQ(u->port, 8554);
  EXPECT_EQ(u->path, "/Streaming/Channels/101?x=1");
  EXPECT_EQ(u->credentials.user, "ad@min");
  EXPECT_EQ(u->credentials.password, "p:ss");
  EXPECT_EQ(u->RequestUrl(), "rtsp://cam.local:8554/Streaming/Channels/101?x=1");
}

TEST(RtspUrlTest, DefaultsAndIpv6) {
  auto u = ParseRtspUrl("RTSP://10.0.0.1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 554);
  EXPECT_EQ(u->path, "/");
  auto v = ParseRtspUrl("rtsp://[::1]:10554/a");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 10554);
  EXPECT_EQ(v->RequestUrl(), "rtsp://[::1]:10554/a");
}

TEST(RtspUrlTest, ErrorsSayWhat) {
  EXPECT_NE(ParseRtspUrl("http://x/").status().message().find("rtsp://"), std::string::npos);
  EXPECT_NE(ParseRtspUrl("rtsp://x:99999/").status().message().find("bad port"), std::string::npos);
  EXPECT_NE(ParseRtspUrl("rtsp:///a").status().message().find("no host"), std::string::npos);
  EXPECT_FALSE(ParseRtspUrl("rtsp://u:%zz@x/").ok());
  EXPECT_FALSE(ParseRtspUrl("rtsp://u:%4@x/").ok());
}

}  // namespace
}  // namespace sightline::rtsp

namespace sightline::rtsp {
namespace {

TEST(RtspUrlTest, ErrorsNeverShowCredentials) {
  Result<RtspUrl> r = ParseRtspUrl("rtsp://admin:s3cret@cam.local:99999/stream");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("rtsp://***@cam.local:99999/stream"), std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace sightline::rtsp
