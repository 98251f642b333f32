#include "onvif/media.h"

#include <gtest/gtest.h>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

std::string Soap12(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
         "xmlns:tr2=\"http://www.onvif.org/ver20/media/wsdl\"><SOAP-ENV:Body>" + body +
         "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
}

std::string Media1Profile(const std::string& token, const std::string& enc, int w, int h, const std::string& fps) {
  return "<trt:Profiles token=\"" + token + "\" fixed=\"true\"><tt:Name>" + token + "_name</tt:Name>"
         "<tt:VideoSourceConfiguration token=\"VideoSourceToken\"><tt:Name>VideoSourceConfig</tt:Name>"
         "<tt:Bounds x=\"0\" y=\"0\" width=\"2560\" height=\"1440\"/></tt:VideoSourceConfiguration>"
         "<tt:VideoEncoderConfiguration token=\"enc_" + token + "\"><tt:Name>VideoEncoder</tt:Name>"
         "<tt:UseCount>1</tt:UseCount><tt:Encoding>" + enc + "</tt:Encoding><tt:Resolution><tt:Width>" +
         std::to_string(w) + "</tt:Width><tt:Height>" + std::to_string(h) + "</tt:Height></tt:Resolution>"
         "<tt:Quality>4</tt:Quality><tt:RateControl><tt:FrameRateLimit>" + fps + "</tt:FrameRateLimit>"
         "<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>"
         "</tt:VideoEncoderConfiguration></trt:Profiles>";
}

std::string Media2Profile(const std::string& token, const std::string& enc, int w, int h) {
  return "<tr2:Profiles token=\"" + token + "\" fixed=\"true\"><tr2:Name>" + token + "</tr2:Name><tr2:Configurations>"
         "<tr2:VideoEncoder token=\"ve_" + token + "\" GovLength=\"50\" Profile=\"Main\"><tt:Name>ve</tt:Name>"
         "<tt:UseCount>1</tt:UseCount><tt:Encoding>" + enc + "</tt:Encoding><tt:Resolution><tt:Width>" +
         std::to_string(w) + "</tt:Width><tt:Height>" + std::to_string(h) + "</tt:Height></tt:Resolution>"
         "<tt:RateControl ConstantBitRate=\"false\"><tt:FrameRateLimit>20</tt:FrameRateLimit>"
         "<tt:BitrateLimit>6144</tt:BitrateLimit></tt:RateControl><tt:Quality>5</tt:Quality></tr2:VideoEncoder>"
         "</tr2:Configurations></tr2:Profiles>";
}

TEST(OnvifMediaTest, RequestsUseTheRightServiceAndEscapeTokens) {
  SoapRequest p1 = GetProfilesRequest(MediaVersion::kMedia1);
  EXPECT_EQ(p1.action, "http://www.onvif.org/ver10/media/wsdl/GetProfiles");
  SoapRequest p2 = GetProfilesRequest(MediaVersion::kMedia2);
  EXPECT_EQ(p2.action, "http://www.onvif.org/ver20/media/wsdl/GetProfiles");
  EXPECT_NE(p2.body_xml.find("<tr2:Type>VideoEncoder</tr2:Type>"), std::string::npos);

  SoapRequest s1 = GetStreamUriRequest(MediaVersion::kMedia1, "Profile_1&<x>");
  auto d1 = ParseXml(s1.body_xml);
  ASSERT_TRUE(d1.ok()) << d1.status();
  pugi::xml_node root = (*d1)->document_element();
  EXPECT_EQ(ChildText(root, "ProfileToken"), "Profile_1&<x>");
  EXPECT_EQ(ChildText(Child(root, "StreamSetup"), "Stream"), "RTP-Unicast");
  EXPECT_EQ(ChildText(Child(Child(root, "StreamSetup"), "Transport"), "Protocol"), "RTSP");

  SoapRequest s2 = GetStreamUriRequest(MediaVersion::kMedia2, "p2");
  auto d2 = ParseXml(s2.body_xml);
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(NamespaceUri((*d2)->document_element()), kMedia2Ns);
  EXPECT_EQ(ChildText((*d2)->document_element(), "Protocol"), "RtspUnicast");

  SoapRequest snap = GetSnapshotUriRequest(MediaVersion::kMedia1, "p1");
  EXPECT_EQ(snap.action, "http://www.onvif.org/ver10/media/wsdl/GetSnapshotUri");
  EXPECT_TRUE(ParseXml(snap.body_xml).ok());
}

TEST(OnvifMediaTest, Media1ProfilesWithTheirVideoEncoder) {
  auto profiles = ParseGetProfiles(
      Soap12("<trt:GetProfilesResponse>" + Media1Profile("Profile_1", "H264", 2560, 1440, "25") +
             Media1Profile("Profile_2", "H264", 640, 360, "25.000000") +
             // An audio/metadata-only profile, and one without a token.
             "<trt:Profiles token=\"Profile_3\"><tt:Name>meta</tt:Name></trt:Profiles>"
             "<trt:Profiles><tt:Name>tokenless</tt:Name></trt:Profiles></trt:GetProfilesResponse>"),
      MediaVersion::kMedia1);
  ASSERT_TRUE(profiles.ok()) << profiles.status();
  ASSERT_EQ(profiles->size(), 3u);
  const MediaProfile& main = (*profiles)[0];
  EXPECT_EQ(main.token, "Profile_1");
  EXPECT_EQ(main.name, "Profile_1_name");
  EXPECT_EQ(main.encoding, VideoEncoding::kH264);
  EXPECT_EQ(main.width, 2560);
  EXPECT_EQ(main.height, 1440);
  EXPECT_EQ(main.frame_rate_limit, 25);
  EXPECT_EQ(main.bitrate_kbps, 4096);
  EXPECT_EQ((*profiles)[1].frame_rate_limit, 25);  // "25.000000"
  EXPECT_EQ((*profiles)[2].encoding, VideoEncoding::kNone);
}

TEST(OnvifMediaTest, Media2ProfilesCarryH265) {
  auto profiles = ParseGetProfiles(
      Soap12("<tr2:GetProfilesResponse>" + Media2Profile("main", "H265", 3840, 2160) +
             Media2Profile("sub", "H264", 704, 576) + "</tr2:GetProfilesResponse>"),
      MediaVersion::kMedia2);
  ASSERT_TRUE(profiles.ok()) << profiles.status();
  ASSERT_EQ(profiles->size(), 2u);
  EXPECT_EQ((*profiles)[0].version, MediaVersion::kMedia2);
  EXPECT_EQ((*profiles)[0].encoding, VideoEncoding::kH265);
  EXPECT_EQ((*profiles)[0].width, 3840);
  EXPECT_EQ((*profiles)[0].frame_rate_limit, 20);
  EXPECT_EQ((*profiles)[1].encoding, VideoEncoding::kH264);
}

TEST(OnvifMediaTest, StreamUriMedia1AndMedia2) {
  auto m1 = ParseGetStreamUri(
      Soap12("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://192.0.2.10:554/Streaming/Channels/101?"
             "transportmode=unicast&amp;profile=Profile_1</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
             "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
             "</trt:GetStreamUriResponse>"),
      MediaVersion::kMedia1, "Profile_1");
  ASSERT_TRUE(m1.ok()) << m1.status();
  EXPECT_EQ(*m1, "rtsp://192.0.2.10:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1");
  auto m2 = ParseGetStreamUri(Soap12("<tr2:GetStreamUriResponse><tr2:Uri>rtsp://192.0.2.10/main</tr2:Uri>"
                                     "</tr2:GetStreamUriResponse>"),
                              MediaVersion::kMedia2, "main");
  ASSERT_TRUE(m2.ok()) << m2.status();
  EXPECT_EQ(*m2, "rtsp://192.0.2.10/main");
}

// zoneminder#3767: a raw '&' in the Uri; the document is repaired and read.
TEST(OnvifMediaTest, UnescapedAmpersandInStreamUriIsRecovered) {
  auto uri = ParseGetStreamUri(
      Soap12("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://192.0.2.10:554/cam/realmonitor?channel=1&subtype=0"
             "&unicast=true&proto=Onvif</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>"),
      MediaVersion::kMedia1, "MediaProfile000");
  ASSERT_TRUE(uri.ok()) << uri.status();
  EXPECT_EQ(*uri, "rtsp://192.0.2.10:554/cam/realmonitor?channel=1&subtype=0&unicast=true&proto=Onvif");
}

TEST(OnvifMediaTest, CredentialsInUrisAreRemoved) {
  auto uri = ParseGetStreamUri(
      Soap12("<tr2:GetStreamUriResponse><tr2:Uri>rtsp://admin:s3cret@192.0.2.10/h265</tr2:Uri></tr2:GetStreamUriResponse>"),
      MediaVersion::kMedia2, "p");
  ASSERT_TRUE(uri.ok()) << uri.status();
  EXPECT_EQ(*uri, "rtsp://192.0.2.10/h265");
  // Nor do they show in an error.
  auto bad = CheckMediaUri("ftp://admin:s3cret@cam/x", {"rtsp"}, "GetStreamUri of profile 'p'");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status();
}

// zoneminder#2825: garbage where the Uri should be.
TEST(OnvifMediaTest, GarbageUrisAreErrorsNamingTheProfile) {
  for (const char* garbage : {"", "(null)", "rtsp://", "rtsp:///path", "rtsp://:554/x", "http://cam/x",
                              "rtsp://cam/a b", "0.0.0.0"}) {
    auto r = ParseGetStreamUri(Soap12(std::string("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>") + garbage +
                                      "</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>"),
                               MediaVersion::kMedia1, "Profile_7");
    ASSERT_FALSE(r.ok()) << garbage;
    EXPECT_NE(r.status().message().find("GetStreamUri of profile 'Profile_7'"), std::string::npos) << r.status();
  }
  auto missing = ParseGetStreamUri(Soap12("<trt:GetStreamUriResponse/>"), MediaVersion::kMedia1, "P");
  EXPECT_NE(missing.status().message().find("no Uri"), std::string::npos) << missing.status();
  auto fault = ParseGetStreamUri(
      Soap12("<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value><SOAP-ENV:Subcode>"
             "<SOAP-ENV:Value>ter:NoProfile</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code></SOAP-ENV:Fault>"),
      MediaVersion::kMedia1, "gone");
  EXPECT_EQ(fault.status().code(), StatusCode::kNotFound);
  EXPECT_NE(fault.status().message().find("profile 'gone'"), std::string::npos) << fault.status();
}

TEST(OnvifMediaTest, SnapshotUriMustBeHttp) {
  auto ok = ParseGetSnapshotUri(
      Soap12("<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://192.0.2.10/onvif-http/snapshot?Profile_1</tt:Uri>"
             "</trt:MediaUri></trt:GetSnapshotUriResponse>"),
      MediaVersion::kMedia1, "Profile_1");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, "http://192.0.2.10/onvif-http/snapshot?Profile_1");
  auto rtsp = ParseGetSnapshotUri(Soap12("<tr2:GetSnapshotUriResponse><tr2:Uri>rtsp://cam/x</tr2:Uri>"
                                         "</tr2:GetSnapshotUriResponse>"),
                                  MediaVersion::kMedia2, "p");
  EXPECT_FALSE(rtsp.ok());
}

MediaProfile P(const char* token, VideoEncoding e, int w, int h, MediaVersion v = MediaVersion::kMedia1, int fps = 25) {
  MediaProfile p;
  p.token = token;
  p.encoding = e;
  p.width = w;
  p.height = h;
  p.version = v;
  p.frame_rate_limit = fps;
  return p;
}

TEST(OnvifMediaTest, ChooseStreamsPicksLargestAndSmallestOther) {
  StreamChoice c = ChooseStreams({P("sub", VideoEncoding::kH264, 640, 360), P("jpeg", VideoEncoding::kJpeg, 3840, 2160),
                                  P("main", VideoEncoding::kH264, 1920, 1080), P("third", VideoEncoding::kH264, 1280, 720),
                                  P("none", VideoEncoding::kNone, 0, 0)});
  ASSERT_TRUE(c.main && c.sub);
  EXPECT_EQ(c.main->token, "main");
  EXPECT_EQ(c.sub->token, "sub");
}

TEST(OnvifMediaTest, ChooseStreamsWithOneResolutionHasNoSub) {
  StreamChoice c = ChooseStreams({P("a", VideoEncoding::kH264, 1920, 1080, MediaVersion::kMedia1, 15),
                                  P("b", VideoEncoding::kH264, 1920, 1080, MediaVersion::kMedia1, 30)});
  ASSERT_TRUE(c.main);
  EXPECT_EQ(c.main->token, "b");  // same size: the higher frame rate
  EXPECT_FALSE(c.sub);
  EXPECT_FALSE(ChooseStreams({}).main);
  EXPECT_FALSE(ChooseStreams({P("j", VideoEncoding::kJpeg, 640, 480)}).main);
}

TEST(OnvifMediaTest, ChooseStreamsPrefersMedia2) {
  StreamChoice c = ChooseStreams({P("m1main", VideoEncoding::kH264, 3840, 2160), P("m1sub", VideoEncoding::kH264, 640, 360),
                                  P("m2main", VideoEncoding::kH265, 2560, 1440, MediaVersion::kMedia2),
                                  P("m2sub", VideoEncoding::kH264, 704, 576, MediaVersion::kMedia2)});
  ASSERT_TRUE(c.main && c.sub);
  EXPECT_EQ(c.main->token, "m2main");
  EXPECT_EQ(c.sub->token, "m2sub");
}

}  // namespace
}  // namespace sightline::onvif
