// A camera's `onvif:` map: the device instead of stream URLs.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

std::string WithOnvif(std::string_view onvif) {
  return "storage:\n  dirs: [/data]\ncameras:\n  door:\n" + std::string(onvif);
}

TEST(ParseOnvifTest, AnOnvifCameraStandsForARecordedMainAndADetectedSubStream) {
  const Config c = ParseOk(WithOnvif(
      "    record: {max_age: 7d}\n"
      "    onvif: {host: 192.168.1.20, user: admin, password: \"${FRONT_DOOR_PASSWORD}\", transport: udp}\n"));
  ASSERT_EQ(c.cameras.size(), 1u);
  const CameraConfig& cam = c.cameras[0];
  ASSERT_TRUE(cam.onvif.has_value());
  EXPECT_EQ(cam.onvif->device_url, "http://192.168.1.20/onvif/device_service");
  EXPECT_EQ(cam.onvif->user, "admin");
  EXPECT_EQ(cam.onvif->password, "s3cret");
  ASSERT_EQ(cam.streams.size(), 2u);
  EXPECT_EQ(cam.streams[0].name, "main");
  EXPECT_TRUE(cam.streams[0].HasRole(Role::kRecord));
  EXPECT_FALSE(cam.streams[0].HasRole(Role::kDetect));
  EXPECT_EQ(cam.streams[1].name, "sub");
  EXPECT_TRUE(cam.streams[1].HasRole(Role::kDetect));
  EXPECT_TRUE(cam.streams[1].HasRole(Role::kLive));
  for (const StreamConfig& s : cam.streams) {
    EXPECT_EQ(s.url, "");  // resolved at start
    EXPECT_EQ(s.user, "admin");
    EXPECT_EQ(s.transport, Transport::kUdp);
    EXPECT_EQ(s.retention.max_age_s, 7 * kDayS);
  }
  EXPECT_TRUE(cam.motion.enabled);  // it has a detect stream
}

TEST(ParseOnvifTest, HostsAreAddressesOrDeviceServiceUrls) {
  auto url = [](std::string_view host) {
    const Config c = ParseOk(WithOnvif("    onvif: {host: \"" + std::string(host) + "\"}\n"));
    return c.cameras.empty() || !c.cameras[0].onvif ? std::string() : c.cameras[0].onvif->device_url;
  };
  EXPECT_EQ(url("cam.local:8080"), "http://cam.local:8080/onvif/device_service");
  EXPECT_EQ(url("[fe80::1]:80"), "http://[fe80::1]:80/onvif/device_service");
  EXPECT_EQ(url("https://10.0.0.5/"), "https://10.0.0.5/onvif/device_service");
  EXPECT_EQ(url("http://10.0.0.5:2020/onvif/device"), "http://10.0.0.5:2020/onvif/device");
  // A camera without credentials is allowed (the device may need none).
  EXPECT_EQ(ParseOk(WithOnvif("    onvif: {host: 10.0.0.5}\n")).cameras[0].streams[0].user, "");
}

TEST(ParseOnvifTest, ProblemsNameTheKeyAndNeverQuoteCredentials) {
  EXPECT_NE(Errors(WithOnvif("    onvif: {user: a, password: b}\n")).find("missing required key \"host\""),
            std::string::npos);
  const std::string creds = Errors(WithOnvif("    onvif: {host: \"http://admin:hunter2@10.0.0.5\"}\n"));
  EXPECT_NE(creds.find("host carries credentials"), std::string::npos) << creds;
  EXPECT_EQ(creds.find("hunter2"), std::string::npos) << creds;
  EXPECT_NE(Errors(WithOnvif("    onvif: {host: \"rtsp://10.0.0.5\"}\n")).find("http:// or https:// URL"),
            std::string::npos);
  EXPECT_NE(Errors(WithOnvif("    onvif: {host: \":80\"}\n")).find("no valid address"), std::string::npos);
  EXPECT_NE(Errors(WithOnvif("    onvif: {host: h, password: b}\n")).find("password without user"),
            std::string::npos);
  EXPECT_NE(Errors(WithOnvif("    onvif: {host: h, user: a}\n")).find("user without password"), std::string::npos);
  EXPECT_NE(Errors(WithOnvif("    onvif: {host: h, transport: sctp}\n")).find("unknown transport"),
            std::string::npos);
  EXPECT_NE(Errors(WithOnvif("    onvif: {host: h, port: 80}\n")).find("port"), std::string::npos);
}

TEST(ParseOnvifTest, ACameraHasStreamsOrOnvifNotBoth) {
  const std::string both = Errors(WithOnvif(
      "    onvif: {host: h}\n    streams:\n      main: {url: rtsp://h/1, roles: [record]}\n"));
  EXPECT_NE(both.find("either streams or onvif"), std::string::npos) << both;
  const std::string neither = Errors(WithOnvif("    enabled: true\n"));
  EXPECT_NE(neither.find("missing required key \"streams\""), std::string::npos) << neither;
}

}  // namespace
}  // namespace sightline::config
