#include "rtsp/sdp.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

Sdp ParseOk(std::string_view text) {
  Result<Sdp> r = ParseSdp(text);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Sdp();
}

constexpr char kCameraSdp[] =
    "v=0\r\n"
    "o=- 1109162014219182 0 IN IP4 0.0.0.0\r\n"
    "s=HIK Media Server V3.4.103\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "t=0 0\r\n"
    "a=control:*\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 profile-level-id=420029; packetization-mode=1; "
    "sprop-parameter-sets=Z01AKI2NQDwBE/LAPEiagA==,aO44gA==\r\n"
    "a=control:trackID=1\r\n";

TEST(SdpTest, ParsesTypicalCamera) {
  const Sdp sdp = ParseOk(kCameraSdp);
  EXPECT_EQ(sdp.session_name, "HIK Media Server V3.4.103");
  EXPECT_EQ(sdp.control, "*");
  ASSERT_EQ(sdp.media.size(), 1u);
  const SdpMedia& m = sdp.media[0];
  EXPECT_EQ(m.type, "video");
  EXPECT_EQ(m.port, 0);
  EXPECT_EQ(m.protocol, "RTP/AVP");
  EXPECT_EQ(m.formats, std::vector<int>{96});
  EXPECT_EQ(m.payload_type, 96);
  EXPECT_EQ(m.encoding, "H264");
  EXPECT_EQ(m.clock_rate, 90000);
  EXPECT_EQ(m.control, "trackID=1");
  EXPECT_EQ(m.fmtp.at("packetization-mode"), "1");
  EXPECT_EQ(m.fmtp.at("profile-level-id"), "420029");
}

TEST(SdpTest, Base64ValuesKeepTheirPadding) {
  const Sdp sdp = ParseOk(kCameraSdp);
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].fmtp.at("sprop-parameter-sets"), "Z01AKI2NQDwBE/LAPEiagA==,aO44gA==");
}

TEST(SdpTest, QuirkNoSessionName) {
  const Sdp sdp = ParseOk("v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\n");
  EXPECT_EQ(sdp.session_name, "");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].encoding, "H265");
}

TEST(SdpTest, QuirkTrailingSpacesAndTabs) {
  const Sdp sdp = ParseOk(
      "v=0 \r\ns=Cam \t\r\nm=video 0 RTP/AVP 96  \r\na=rtpmap:96 H264/90000\t\r\n"
      "a=control:track1 \r\n");
  EXPECT_EQ(sdp.session_name, "Cam");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].formats, std::vector<int>{96});
  EXPECT_EQ(sdp.media[0].clock_rate, 90000);
  EXPECT_EQ(sdp.media[0].control, "track1");
}

TEST(SdpTest, QuirkBareLf) {
  const Sdp sdp = ParseOk("v=0\ns=x\nm=video 0 RTP/AVP 97\na=rtpmap:97 h264/90000\na=control:v\n");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].payload_type, 97);
  EXPECT_EQ(sdp.media[0].encoding, "H264");  // encoding names are case-insensitive
  EXPECT_EQ(sdp.media[0].control, "v");
}

TEST(SdpTest, QuirkControlForms) {
  const Sdp sdp = ParseOk(
      "v=0\r\ns=x\r\na=control:rtsp://10.0.0.2/live/\r\n"
      "m=video 0 RTP/AVP 96\r\na=control:rtsp://10.0.0.2/live/trackID=0\r\n"
      "m=audio 0 RTP/AVP 0\r\na=control:trackID=1\r\n"
      "m=application 0 RTP/AVP 107\r\na=control:*\r\n");
  EXPECT_EQ(sdp.control, "rtsp://10.0.0.2/live/");
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.media[0].control, "rtsp://10.0.0.2/live/trackID=0");
  EXPECT_EQ(sdp.media[1].control, "trackID=1");
  EXPECT_EQ(sdp.media[2].control, "*");
}

TEST(SdpTest, QuirkFmtpSpacingAndKeyCase) {
  const Sdp sdp = ParseOk(
      "v=0\r\nm=video 0 RTP/AVP 96\r\n"
      "a=fmtp:96 Packetization-Mode = 1 ;PROFILE-LEVEL-ID=640028 ; ;sprop-vps= QAEMAf//AWAAAAMA==;"
      "flag\r\n");
  ASSERT_EQ(sdp.media.size(), 1u);
  const auto& f = sdp.media[0].fmtp;
  EXPECT_EQ(f.at("packetization-mode"), "1");
  EXPECT_EQ(f.at("profile-level-id"), "640028");
  EXPECT_EQ(f.at("sprop-vps"), "QAEMAf//AWAAAAMA==");
  EXPECT_EQ(f.at("flag"), "");
  EXPECT_EQ(f.size(), 4u);
}

TEST(SdpTest, FmtpForOtherPayloadTypesIsIgnored) {
  const Sdp sdp = ParseOk(
      "v=0\r\nm=video 0 RTP/AVP 96 97\r\na=rtpmap:97 H265/90000\r\na=fmtp:97 a=b\r\n"
      "a=rtpmap:96 H264/90000\r\na=fmtp:96 c=d\r\n");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].formats, (std::vector<int>{96, 97}));
  EXPECT_EQ(sdp.media[0].encoding, "H264");
  EXPECT_EQ(sdp.media[0].fmtp.count("a"), 0u);
  EXPECT_EQ(sdp.media[0].fmtp.at("c"), "d");
}

TEST(SdpTest, QuirkMultipleMediaAllReported) {
  const Sdp sdp = ParseOk(
      "v=0\r\ns=x\r\nm=audio 0 RTP/AVP 8\r\na=control:audio\r\n"
      "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:video\r\n"
      "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/16000/1\r\n");
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.media[0].type, "audio");
  EXPECT_EQ(sdp.media[0].encoding, "PCMA");  // static payload type, no rtpmap
  EXPECT_EQ(sdp.media[0].clock_rate, 8000);
  EXPECT_EQ(sdp.media[1].type, "video");
  EXPECT_EQ(sdp.media[1].control, "video");
  EXPECT_EQ(sdp.media[2].encoding, "MPEG4-GENERIC");
  EXPECT_EQ(sdp.media[2].clock_rate, 16000);
}

TEST(SdpTest, QuirkUnknownLinesIgnored) {
  const Sdp sdp = ParseOk(
      "v=0\r\nx=whatever\r\ns=x\r\nb=AS:5000\r\na=tool:foo\r\na=range:npt=0-\r\n"
      "m=video 0 RTP/AVP 96\r\ni=info\r\na=recvonly\r\na=framerate:25\r\n"
      "a=rtpmap:96 H264/90000\r\n\r\n");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].encoding, "H264");
}

TEST(SdpTest, MediaPortWithCount) {
  const Sdp sdp = ParseOk("v=0\r\nm=video 5004/2 RTP/AVP 96\r\n");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].port, 5004);
}

TEST(SdpTest, ErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"v=0\r\n<html>\r\n", "SDP line 2: expected"},
      {"v=0\r\ns=x\r\nm=video\r\n", "SDP line 3: m= line needs"},
      {"v=0\r\nm=video x RTP/AVP 96\r\n", "SDP line 2: bad port"},
      {"v=0\r\nm=video 0 RTP/AVP h264\r\n", "SDP line 2: bad payload type"},
      {"v=0\nm=video 0 RTP/AVP 96\n\na=rtpmap:96 H264\n", "SDP line 4: rtpmap needs"},
      {"v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/fast\n", "SDP line 3: bad rtpmap clock"},
      {"v=0\nm=video 0 RTP/AVP 96\na=rtpmap:x H264/90000\n", "SDP line 3: bad rtpmap payload"},
      {"v=0\nm=video 0 RTP/AVP 96\na=fmtp:abc x=y\n", "SDP line 3: bad fmtp payload"},
  };
  for (const Case& c : cases) {
    Result<Sdp> r = ParseSdp(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.text << " -> " << r.status();
  }
}

TEST(SdpTest, NonRtpFormatsAreSkipped) {
  const Sdp sdp = ParseOk("v=0\r\nm=application 9 TCP/BFCP *\r\n");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_TRUE(sdp.media[0].formats.empty());
  EXPECT_EQ(sdp.media[0].payload_type, -1);
}

TEST(ResolveControlUrlTest, AbsoluteControlWins) {
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live/", "rtsp://other/track1"), "rtsp://other/track1");
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live", "RTSP://Other/t"), "RTSP://Other/t");
}

TEST(ResolveControlUrlTest, StarOrEmptyMeansBase) {
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live", "*"), "rtsp://cam/live");
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live/", ""), "rtsp://cam/live/");
}

TEST(ResolveControlUrlTest, RelativeJoinsWithOneSlash) {
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live", "trackID=1"), "rtsp://cam/live/trackID=1");
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live/", "trackID=1"), "rtsp://cam/live/trackID=1");
  EXPECT_EQ(ResolveControlUrl("rtsp://cam/live/", "/trackID=1"), "rtsp://cam/live/trackID=1");
  EXPECT_EQ(ResolveControlUrl("", "trackID=1"), "trackID=1");
}

}  // namespace
}  // namespace sightline::rtsp
