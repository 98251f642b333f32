#include "rtsp/message.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

RtspMessage ParseAll(std::string_view text) {
  RtspMessage m;
  Result<size_t> r = ParseRtspMessage(text, &m);
  EXPECT_TRUE(r.ok()) << r.status();
  if (r.ok()) {
    EXPECT_EQ(*r, text.size());
  }
  return m;
}

TEST(RtspMessageTest, ParsesResponseWithBody) {
  const std::string text =
      "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Base: rtsp://cam/live/\r\n"
      "Content-Type: application/sdp\r\nContent-Length: 10\r\n\r\nv=0\r\ns=x\r\n";
  const RtspMessage m = ParseAll(text);
  EXPECT_TRUE(m.is_response);
  EXPECT_EQ(m.status_code, 200);
  EXPECT_EQ(m.reason, "OK");
  EXPECT_EQ(m.CSeq(), 2);
  EXPECT_EQ(m.Header("content-base"), "rtsp://cam/live/");
  EXPECT_EQ(m.body, "v=0\r\ns=x\r\n");
}

TEST(RtspMessageTest, ParsesRequest) {
  const RtspMessage m =
      ParseAll("SETUP rtsp://cam/live/trackID=1 RTSP/1.0\r\nCSeq: 3\r\n"
               "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
  EXPECT_FALSE(m.is_response);
  EXPECT_EQ(m.method, "SETUP");
  EXPECT_EQ(m.uri, "rtsp://cam/live/trackID=1");
  EXPECT_EQ(m.CSeq(), 3);
  EXPECT_EQ(m.Header("TRANSPORT"), "RTP/AVP/TCP;unicast;interleaved=0-1");
  EXPECT_TRUE(m.body.empty());
}

TEST(RtspMessageTest, AcceptsBareLfAndMixedLineEnds) {
  const RtspMessage m = ParseAll("RTSP/1.0 200 OK\nCSeq: 5\r\nSession: 1234\n\n");
  EXPECT_EQ(m.CSeq(), 5);
  EXPECT_EQ(m.Header("Session"), "1234");
}

TEST(RtspMessageTest, ToleratesMissingReasonAndTrailingSpaces) {
  const RtspMessage a = ParseAll("RTSP/1.0 200\r\nCSeq: 1   \r\n\r\n");
  EXPECT_EQ(a.status_code, 200);
  EXPECT_EQ(a.reason, "");
  EXPECT_EQ(a.Header("CSeq"), "1");
  EXPECT_EQ(a.CSeq(), 1);
  const RtspMessage b = ParseAll("RTSP/1.0 401 Unauthorized  \r\nCSeq :  7\t\r\n\r\n");
  EXPECT_EQ(b.status_code, 401);
  EXPECT_EQ(b.reason, "Unauthorized");
  EXPECT_EQ(b.CSeq(), 7);
  const RtspMessage c = ParseAll("OPTIONS * RTSP/1.0  \r\nCSeq: 1\r\n\r\n");
  EXPECT_EQ(c.method, "OPTIONS");
  EXPECT_EQ(c.uri, "*");
}

TEST(RtspMessageTest, HeaderNamesAreCaseInsensitiveAndRepeatable) {
  const RtspMessage m = ParseAll(
      "RTSP/1.0 401 Unauthorized\r\ncseq: 9\r\n"
      "WWW-Authenticate: Digest realm=\"a\", nonce=\"b\"\r\n"
      "www-authenticate: Basic realm=\"a\"\r\n\r\n");
  EXPECT_EQ(m.CSeq(), 9);
  const auto all = m.Headers("WWW-AUTHENTICATE");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "Digest realm=\"a\", nonce=\"b\"");
  EXPECT_EQ(all[1], "Basic realm=\"a\"");
  EXPECT_EQ(m.Header("Missing"), std::nullopt);
  EXPECT_TRUE(m.Headers("Missing").empty());
}

TEST(RtspMessageTest, ReturnsZeroUntilComplete) {
  const std::string text = "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\nhello";
  for (size_t n = 0; n < text.size(); ++n) {
    RtspMessage m;
    Result<size_t> r = ParseRtspMessage(std::string_view(text).substr(0, n), &m);
    ASSERT_TRUE(r.ok()) << "prefix " << n << ": " << r.status();
    EXPECT_EQ(*r, 0u) << "prefix " << n;
  }
  RtspMessage m;
  Result<size_t> r = ParseRtspMessage(text + "RTSP/1.0 200 OK\r\n", &m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, text.size());  // stops at the end of the first message
  EXPECT_EQ(m.body, "hello");
}

TEST(RtspMessageTest, EnforcesSizeLimits) {
  RtspMessage m;
  const std::string long_header = "RTSP/1.0 200 OK\r\nX: " + std::string(kMaxRtspHeaderBytes, 'a');
  Result<size_t> r = ParseRtspMessage(long_header, &m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);

  const std::string big_body = "RTSP/1.0 200 OK\r\nContent-Length: " +
                               std::to_string(kMaxRtspBodyBytes + 1) + "\r\n\r\n";
  r = ParseRtspMessage(big_body, &m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);

  const std::string max_body = "RTSP/1.0 200 OK\r\nContent-Length: " +
                               std::to_string(kMaxRtspBodyBytes) + "\r\n\r\n" +
                               std::string(kMaxRtspBodyBytes, 'b');
  r = ParseRtspMessage(max_body, &m);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, max_body.size());
}

TEST(RtspMessageTest, RejectsMalformedMessagesNamingTheProblem) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"RTSP/1.0 2000 OK\r\n\r\n", "status code"},
      {"RTSP/1.0 abc OK\r\n\r\n", "status code"},
      {"RTSP/x 200 OK\r\n\r\n", "version"},
      {"OPTIONS rtsp://cam HTTP/1.1\r\n\r\n", "version"},
      {"OPTIONS\r\n\r\n", "URI"},
      {"OPT<IONS * RTSP/1.0\r\n\r\n", "method"},
      {"OPTIONS * RTSP/1.0 extra\r\n\r\n", "after the version"},
      {"RTSP/1.0 200 OK\r\nNoColon\r\n\r\n", "line 2: missing ':'"},
      {"RTSP/1.0 200 OK\r\n: v\r\n\r\n", "empty header name"},
      {"RTSP/1.0 200 OK\r\nA: b\r\n folded\r\n\r\n", "line 3: continuation"},
      {"RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"},
      {"RTSP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting"},
      {"RTSP/1.0 200 OK\r\nX: \x01\r\n\r\n", "control byte at offset 20"},
      {"\r\n\r\n", "empty start line"},
  };
  for (const Case& c : cases) {
    RtspMessage m;
    Result<size_t> r = ParseRtspMessage(c.text, &m);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.text << " -> " << r.status();
  }
}

TEST(RtspMessageTest, CSeqRejectsNonNumbers) {
  RtspMessage m;
  m.AddHeader("CSeq", "abc");
  EXPECT_EQ(m.CSeq(), std::nullopt);
  RtspMessage n;
  EXPECT_EQ(n.CSeq(), std::nullopt);
}

TEST(RtspMessageTest, SerializeRoundTrips) {
  RtspMessage req;
  req.method = "DESCRIBE";
  req.uri = "rtsp://cam/live";
  req.AddHeader("CSeq", "2");
  req.AddHeader("Accept", "application/sdp");
  const std::string text = req.Serialize();
  EXPECT_EQ(text,
            "DESCRIBE rtsp://cam/live RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n");
  const RtspMessage back = ParseAll(text);
  EXPECT_EQ(back.method, req.method);
  EXPECT_EQ(back.uri, req.uri);
  EXPECT_EQ(back.headers, req.headers);

  RtspMessage resp;
  resp.is_response = true;
  resp.status_code = 200;
  resp.reason = "OK";
  resp.AddHeader("CSeq", "2");
  resp.body = "v=0\r\n";
  const std::string rtext = resp.Serialize();
  EXPECT_NE(rtext.find("Content-Length: 5\r\n"), std::string::npos);
  const RtspMessage rback = ParseAll(rtext);
  EXPECT_EQ(rback.status_code, 200);
  EXPECT_EQ(rback.reason, "OK");
  EXPECT_EQ(rback.body, "v=0\r\n");
  EXPECT_EQ(rback.Serialize(), rtext);
}

TEST(RtspMessageTest, SerializeRewritesAStaleContentLength) {
  RtspMessage m;
  m.is_response = true;
  m.status_code = 200;
  m.AddHeader("Content-Length", "99");
  m.AddHeader("CSeq", "1");
  m.body = "abc";
  EXPECT_EQ(m.Serialize(), "RTSP/1.0 200\r\nContent-Length: 3\r\nCSeq: 1\r\n\r\nabc");
}

TEST(SessionHeaderTest, ParsesIdAndTimeout) {
  Result<SessionHeader> s = ParseSessionHeader("12345678;timeout=30");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->id, "12345678");
  EXPECT_EQ(s->timeout_s, 30);
  s = ParseSessionHeader(" ABCD ; Timeout = 45 ");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->id, "ABCD");
  EXPECT_EQ(s->timeout_s, 45);
  s = ParseSessionHeader("abc");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->timeout_s, 60);
}

TEST(SessionHeaderTest, BadTimeoutKeepsDefaultAndEmptyIdFails) {
  Result<SessionHeader> s = ParseSessionHeader("abc;timeout=0");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->timeout_s, 60);
  s = ParseSessionHeader("abc;timeout=x;foo");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->timeout_s, 60);
  EXPECT_FALSE(ParseSessionHeader(" ;timeout=5").ok());
  EXPECT_FALSE(ParseSessionHeader("").ok());
}

TEST(TransportHeaderTest, ParsesTcpInterleaved) {
  Result<TransportHeader> t =
      ParseTransportHeader("RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1A2B3C4D;mode=\"PLAY\"");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->tcp);
  EXPECT_TRUE(t->unicast);
  EXPECT_EQ(t->interleaved, std::make_pair(2, 3));
  EXPECT_EQ(t->ssrc, 0x1A2B3C4Du);
  EXPECT_FALSE(t->client_port.has_value());
}

TEST(TransportHeaderTest, ParsesUdpPortsAndSource) {
  Result<TransportHeader> t = ParseTransportHeader(
      "RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;source=10.0.0.5;ssrc=0000ffff");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->tcp);
  EXPECT_EQ(t->client_port, std::make_pair(5000, 5001));
  EXPECT_EQ(t->server_port, std::make_pair(6970, 6971));
  EXPECT_EQ(t->source, "10.0.0.5");
  EXPECT_EQ(t->ssrc, 0xffffu);
}

TEST(TransportHeaderTest, QuirksAndAlternatives) {
  // A single channel means the pair (n, n+1); the first of several alternatives is used;
  // a malformed ssrc is dropped rather than failing.
  Result<TransportHeader> t = ParseTransportHeader(
      " rtp/avp/tcp ; interleaved = 4 ; ssrc=XYZ , RTP/AVP;client_port=1-2");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->tcp);
  EXPECT_EQ(t->interleaved, std::make_pair(4, 5));
  EXPECT_FALSE(t->ssrc.has_value());
  EXPECT_FALSE(t->client_port.has_value());
  t = ParseTransportHeader("RTP/AVP/UDP;multicast");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->unicast);
}

TEST(TransportHeaderTest, RejectsBadValues) {
  EXPECT_NE(ParseTransportHeader("RAW/RAW/UDP;unicast").status().message().find("protocol"),
            std::string::npos);
  EXPECT_NE(ParseTransportHeader("RTP/AVP/TCP;interleaved=0-256").status().message().find(
                "interleaved"),
            std::string::npos);
  EXPECT_NE(ParseTransportHeader("RTP/AVP;client_port=abc").status().message().find(
                "client_port"),
            std::string::npos);
  EXPECT_NE(ParseTransportHeader("RTP/AVP;server_port=70000").status().message().find(
                "server_port"),
            std::string::npos);
  EXPECT_FALSE(ParseTransportHeader("RTP/AVP/TCP;interleaved=255").ok());
}

TEST(TransportHeaderTest, FormatRoundTrips) {
  TransportHeader t;
  t.tcp = true;
  t.interleaved = std::make_pair(0, 1);
  EXPECT_EQ(FormatTransportHeader(t), "RTP/AVP/TCP;unicast;interleaved=0-1");
  TransportHeader u;
  u.client_port = std::make_pair(5000, 5001);
  u.server_port = std::make_pair(6000, 6001);
  u.ssrc = 0xdeadbeef;
  u.source = "192.0.2.1";
  const std::string text = FormatTransportHeader(u);
  EXPECT_EQ(text,
            "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001;ssrc=DEADBEEF;"
            "source=192.0.2.1");
  Result<TransportHeader> back = ParseTransportHeader(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->client_port, u.client_port);
  EXPECT_EQ(back->server_port, u.server_port);
  EXPECT_EQ(back->ssrc, u.ssrc);
  EXPECT_EQ(back->source, u.source);
  EXPECT_EQ(back->tcp, u.tcp);
}

}  // namespace
}  // namespace sightline::rtsp
