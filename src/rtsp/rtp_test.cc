#include "rtsp/rtp.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

Bytes Payload(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(RtpTest, WriteThenParse) {
  Bytes pkt;
  WriteRtpPacket(96, true, 0xfffe, 0x89abcdef, 0x01020304, Payload("nal"), pkt);
  ASSERT_EQ(pkt.size(), 15u);
  EXPECT_EQ(pkt[0], 0x80);
  EXPECT_EQ(pkt[1], 0x80 | 96);
  Result<RtpPacket> p = ParseRtpPacket(pkt);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->payload_type, 96);
  EXPECT_TRUE(p->marker);
  EXPECT_EQ(p->sequence, 0xfffe);
  EXPECT_EQ(p->timestamp, 0x89abcdefu);
  EXPECT_EQ(p->ssrc, 0x01020304u);
  EXPECT_EQ(AsString(p->payload), "nal");
  EXPECT_EQ(p->payload.data(), pkt.data() + 12);  // points into the input
}

TEST(RtpTest, EmptyPayloadIsValid) {
  Bytes pkt;
  WriteRtpPacket(97, false, 1, 2, 3, {}, pkt);
  Result<RtpPacket> p = ParseRtpPacket(pkt);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->payload.empty());
  EXPECT_FALSE(p->marker);
}

TEST(RtpTest, SkipsCsrcsAndExtension) {
  Bytes pkt;
  WriteRtpPacket(96, false, 1, 2, 3, {}, pkt);
  pkt[0] = 0x80 | 0x10 | 2;  // X=1, CC=2
  AppendBe32(pkt, 0x11111111);
  AppendBe32(pkt, 0x22222222);
  AppendBe16(pkt, 0xbede);  // RFC 8285 one-byte header profile
  AppendBe16(pkt, 2);       // two words of extension data
  AppendBe32(pkt, 0xaaaaaaaa);
  AppendBe32(pkt, 0xbbbbbbbb);
  AppendBytes(pkt, AsBytes("data"));
  Result<RtpPacket> p = ParseRtpPacket(pkt);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(AsString(p->payload), "data");
}

TEST(RtpTest, RemovesPadding) {
  Bytes pkt;
  WriteRtpPacket(96, false, 1, 2, 3, Payload("data"), pkt);
  pkt[0] |= 0x20;
  pkt.insert(pkt.end(), {0, 0, 3});
  Result<RtpPacket> p = ParseRtpPacket(pkt);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(AsString(p->payload), "data");
}

TEST(RtpTest, ErrorsNameTheField) {
  struct Case {
    Bytes bytes;
    const char* expect;
  };
  Bytes base;
  WriteRtpPacket(96, false, 1, 2, 3, Payload("ab"), base);
  auto with = [&](auto edit) {
    Bytes b = base;
    edit(b);
    return b;
  };
  const Case cases[] = {
      {Bytes(11, 0x80), "shorter than the 12-byte header"},
      {with([](Bytes& b) { b[0] = 0x40; }), "version 1"},
      {with([](Bytes& b) { b[0] = 0x81; }), "CSRC count 1"},
      {with([](Bytes& b) { b[0] = 0x90; }), "extension header"},
      {with([](Bytes& b) {
         b[0] = 0x90;
         b.resize(12);
         AppendBe16(b, 0);
         AppendBe16(b, 5);
       }),
       "extension length 20"},
      {with([](Bytes& b) { b[0] = 0xa0; b.back() = 0; }), "padding count 0"},
      {with([](Bytes& b) { b[0] = 0xa0; b.back() = 3; }), "padding count 3"},
  };
  for (const Case& c : cases) {
    Result<RtpPacket> p = ParseRtpPacket(c.bytes);
    ASSERT_FALSE(p.ok()) << c.expect;
    EXPECT_NE(p.status().message().find(c.expect), std::string::npos)
        << c.expect << " -> " << p.status();
  }
}

TEST(RtcpTest, WrittenSenderReportParses) {
  const SenderReport sr{.ssrc = 0xcafe, .ntp_timestamp = 0xe8d4a51000000000ull + 12345,
                        .rtp_timestamp = 90000, .packet_count = 10, .octet_count = 12000};
  Bytes pkt;
  WriteRtcpSenderReport(sr, pkt);
  EXPECT_EQ(pkt.size() % 4, 0u);
  EXPECT_EQ(pkt[1], 200);
  Result<std::optional<SenderReport>> got = ParseRtcpCompound(pkt);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->ssrc, sr.ssrc);
  EXPECT_EQ((*got)->ntp_timestamp, sr.ntp_timestamp);
  EXPECT_EQ((*got)->rtp_timestamp, sr.rtp_timestamp);
  EXPECT_EQ((*got)->packet_count, sr.packet_count);
  EXPECT_EQ((*got)->octet_count, sr.octet_count);
  // The SDES after the SR carries the CNAME.
  EXPECT_EQ(pkt[28 + 1], 202);
  EXPECT_EQ(pkt[28 + 8], 1);
}

TEST(RtcpTest, ReceiverReportHasNoSenderReport) {
  Bytes pkt;
  WriteRtcpReceiverReport(0x1234, pkt);
  EXPECT_EQ(pkt.size() % 4, 0u);
  EXPECT_EQ(pkt[1], 201);
  EXPECT_EQ(LoadBe16(&pkt[2]), 1);
  EXPECT_EQ(LoadBe32(&pkt[4]), 0x1234u);
  Result<std::optional<SenderReport>> got = ParseRtcpCompound(pkt);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST(RtcpTest, FindsSenderReportAfterOtherPackets) {
  Bytes pkt;
  WriteRtcpReceiverReport(1, pkt);
  // A BYE with padding (RFC 3550 section 6.6), then the SR with one report block.
  const size_t bye = pkt.size();
  pkt.insert(pkt.end(), {0xa1, 203, 0, 2});
  AppendBe32(pkt, 1);
  pkt.insert(pkt.end(), {0, 0, 0, 4});
  ASSERT_EQ(pkt.size() - bye, 12u);
  const size_t sr_at = pkt.size();
  pkt.insert(pkt.end(), {0x81, 200, 0, 12});
  AppendBe32(pkt, 77);
  AppendBe32(pkt, 0xdddddddd);
  AppendBe32(pkt, 0x80000000);
  AppendBe32(pkt, 3000);
  AppendBe32(pkt, 1);
  AppendBe32(pkt, 2);
  pkt.resize(pkt.size() + 24, 0);
  ASSERT_EQ(pkt.size() - sr_at, 52u);
  Result<std::optional<SenderReport>> got = ParseRtcpCompound(pkt);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->ssrc, 77u);
  EXPECT_EQ((*got)->ntp_timestamp, 0xdddddddd80000000ull);
  EXPECT_EQ((*got)->rtp_timestamp, 3000u);
}

TEST(RtcpTest, RejectsMalformedFraming) {
  Bytes sr;
  WriteRtcpSenderReport({.ssrc = 1}, sr);
  struct Case {
    Bytes bytes;
    const char* expect;
  };
  auto with = [&](auto edit) {
    Bytes b = sr;
    edit(b);
    return b;
  };
  const Case cases[] = {
      {Bytes{}, "empty"},
      {with([](Bytes& b) { b.push_back(0x80); }), "1 bytes left"},
      {with([](Bytes& b) { b[0] = 0x40; }), "offset 0: version 1"},
      {with([](Bytes& b) { b[3] = 200; }), "overruns"},
      {with([](Bytes& b) { b[0] = 0x81; }), "too short for 1 report blocks"},
      {Bytes{0x81, 201, 0, 1, 0, 0, 0, 1}, "RR of 8 bytes is too short for 1 report blocks"},
      {with([](Bytes& b) { b.insert(b.end(), {0x40, 201, 0, 1, 0, 0, 0, 0}); }),
       "offset 48: version 1"},
      {with([](Bytes& b) { b[0] |= 0x20; b[27] = 0; }), "padding count 0"},
      {with([](Bytes& b) { b[0] |= 0x20; b[27] = 28; }), "padding count 28"},
  };
  for (const Case& c : cases) {
    Result<std::optional<SenderReport>> got = ParseRtcpCompound(c.bytes);
    ASSERT_FALSE(got.ok()) << c.expect;
    EXPECT_NE(got.status().message().find(c.expect), std::string::npos)
        << c.expect << " -> " << got.status();
  }
}

}  // namespace
}  // namespace sightline::rtsp
