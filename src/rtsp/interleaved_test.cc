#include "rtsp/interleaved.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace sightline::rtsp {
namespace {

Bytes Frame(uint8_t channel, const std::string& payload) {
  Bytes b = {'$', channel};
  AppendBe16(b, static_cast<uint16_t>(payload.size()));
  AppendBytes(b, AsBytes(payload));
  return b;
}

// A compact description of what came out: "C<ch>:<payload>" or "M<status or method>".
std::vector<std::string> Drain(StreamSplitter& s) {
  std::vector<std::string> out;
  while (true) {
    auto r = s.Next();
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value()) break;
    const StreamSplitter::Item& item = **r;
    if (item.kind == StreamSplitter::Item::Kind::kInterleaved) {
      out.push_back("C" + std::to_string(item.channel) + ":" + std::string(AsString(item.data)));
    } else if (item.message.is_response) {
      out.push_back("M" + std::to_string(item.message.status_code));
    } else {
      out.push_back("M" + item.message.method);
    }
  }
  return out;
}

const std::string kResponse = "RTSP/1.0 200 OK\r\nCSeq: 4\r\nContent-Length: 3\r\n\r\nabc";
const std::string kRequest = "GET_PARAMETER rtsp://cam/ RTSP/1.0\r\nCSeq: 9\r\n\r\n";

TEST(StreamSplitterTest, SplitsFramesAndMessages) {
  StreamSplitter s;
  s.Append(Frame(0, "rtp1"));
  s.Append(AsBytes(kResponse));
  s.Append(Frame(1, "rtcp"));
  s.Append(AsBytes(kRequest));
  s.Append(Frame(0, ""));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"C0:rtp1", "M200", "C1:rtcp", "MGET_PARAMETER",
                                                "C0:"}));
  EXPECT_EQ(s.skipped_bytes(), 0u);
  EXPECT_EQ(s.buffered_bytes(), 0u);
}

TEST(StreamSplitterTest, WaitsForMoreBytesAtEverySplitPoint) {
  Bytes all = Frame(0, "hello");
  AppendBytes(all, AsBytes(kResponse));
  AppendBytes(all, Frame(1, "x"));
  AppendBytes(all, AsBytes(kRequest));
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    StreamSplitter s;
    s.Append(ByteSpan(all).first(cut));
    std::vector<std::string> got = Drain(s);
    s.Append(ByteSpan(all).subspan(cut));
    std::vector<std::string> rest = Drain(s);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, (std::vector<std::string>{"C0:hello", "M200", "C1:x", "MGET_PARAMETER"}))
        << "cut at " << cut;
    EXPECT_EQ(s.skipped_bytes(), 0u) << "cut at " << cut;
  }
}

TEST(StreamSplitterTest, ByteAtATime) {
  Bytes all = Frame(2, "abc");
  AppendBytes(all, AsBytes(kRequest));
  AppendBytes(all, Frame(3, "defg"));
  StreamSplitter s;
  std::vector<std::string> got;
  for (uint8_t b : all) {
    s.Append(ByteSpan(&b, 1));
    for (auto& g : Drain(s)) got.push_back(g);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"C2:abc", "MGET_PARAMETER", "C3:defg"}));
}

TEST(StreamSplitterTest, SkipsGarbageAndCountsIt) {
  StreamSplitter s;
  s.Append(AsBytes(std::string("\x00\x17junk bytes", 12)));
  s.Append(Frame(0, "ok"));
  s.Append(AsBytes("more garbage here\r\n"));
  s.Append(AsBytes(kResponse));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"C0:ok", "M200"}));
  EXPECT_EQ(s.skipped_bytes(), 12u + 19u);
}

TEST(StreamSplitterTest, ResyncsAfterTruncatedResponse) {
  // A camera reset mid-message: the headers never end, binary frames follow.
  StreamSplitter s;
  s.Append(AsBytes("RTSP/1.0 200 OK\r\nCSeq: 3\r\nSess"));
  s.Append(Frame(0, "after"));
  s.Append(Frame(1, "more"));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"C0:after", "C1:more"}));
  EXPECT_EQ(s.skipped_bytes(), 30u);
}

TEST(StreamSplitterTest, BadMessageIsSkippedNotFatal) {
  StreamSplitter s;
  s.Append(AsBytes("RTSP/1.0 OK\r\n\r\n"));  // no status code
  s.Append(AsBytes(kResponse));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"M200"}));
  EXPECT_EQ(s.skipped_bytes(), 15u);
}

TEST(StreamSplitterTest, UppercaseGarbageIsNotARequest) {
  StreamSplitter s;
  s.Append(AsBytes("HELLO WORLD this is not rtsp\r\nOK THEN\n"));
  s.Append(AsBytes(kRequest));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"MGET_PARAMETER"}));
  EXPECT_EQ(s.skipped_bytes(), 38u);
}

TEST(StreamSplitterTest, GarbageTokenSplitAcrossReadsStaysGarbage) {
  // Regression (found by interleaved_fuzzer): a long garbage token cut by a read boundary must
  // not look like a new method at the start of the next read.
  const std::string stream = std::string(40, 'A') + "AAAA rtsp://x RTSP/1.0\r\n\r\n";
  StreamSplitter whole;
  whole.Append(AsBytes(stream));
  const std::vector<std::string> expected = Drain(whole);
  EXPECT_TRUE(expected.empty());
  StreamSplitter split;
  split.Append(AsBytes(std::string_view(stream).substr(0, 40)));
  EXPECT_TRUE(Drain(split).empty());
  split.Append(AsBytes(std::string_view(stream).substr(40)));
  EXPECT_EQ(Drain(split), expected);
  EXPECT_EQ(split.skipped_bytes(), whole.skipped_bytes());
  EXPECT_EQ(split.buffered_bytes(), whole.buffered_bytes());
}

TEST(StreamSplitterTest, LongestMethodCutByReadBoundary) {
  // Regression (found by interleaved_fuzzer): a method of exactly the maximum length that
  // ends a read must wait for the next byte, not be called garbage.
  const std::string method(32, 'X');
  const std::string stream = method + " rtsp://x RTSP/1.0\r\n\r\n";
  StreamSplitter split;
  split.Append(AsBytes(method));
  EXPECT_TRUE(Drain(split).empty());
  EXPECT_EQ(split.skipped_bytes(), 0u);
  split.Append(AsBytes(std::string_view(stream).substr(method.size())));
  EXPECT_EQ(Drain(split), std::vector<std::string>{"M" + method});
  StreamSplitter longer;
  longer.Append(AsBytes("Y" + stream));
  EXPECT_TRUE(Drain(longer).empty());
  EXPECT_GT(longer.skipped_bytes(), 0u);
}

TEST(StreamSplitterTest, LongRequestLikeLineWithoutNewlineIsGarbage) {
  StreamSplitter s;
  const std::string junk = "PLAY " + std::string(5000, 'x');
  s.Append(AsBytes(junk));
  s.Append(Frame(0, "ok"));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"C0:ok"}));
  EXPECT_EQ(s.skipped_bytes(), junk.size());
}

TEST(StreamSplitterTest, GarbageDollarWaitsForItsLengthThenResyncs) {
  // A stray '$' announces a long bogus frame; it swallows what follows, then the stream
  // continues with the next real frame.
  StreamSplitter s;
  Bytes bogus = {'$', 7, 0x00, 0x10};
  s.Append(bogus);
  s.Append(AsBytes(std::string(10, 'z')));
  EXPECT_TRUE(Drain(s).empty());
  s.Append(AsBytes(std::string(6, 'z')));
  s.Append(Frame(0, "next"));
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"C7:" + std::string(16, 'z'), "C0:next"}));
}

TEST(StreamSplitterTest, OversizedHeaderIsAnError) {
  StreamSplitter s;
  s.Append(AsBytes("RTSP/1.0 200 OK\r\n"));
  s.Append(AsBytes("X: " + std::string(kMaxRtspHeaderBytes, 'a')));
  auto r = s.Next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST(StreamSplitterTest, PrepareWriteAndCommitReadInPlace) {
  StreamSplitter s;
  const Bytes frame = Frame(5, "payload");
  std::span<uint8_t> w = s.PrepareWrite(3);
  ASSERT_GE(w.size(), 3u);
  std::memcpy(w.data(), frame.data(), 3);
  s.Commit(3);
  EXPECT_TRUE(Drain(s).empty());
  w = s.PrepareWrite(frame.size() - 3);
  ASSERT_GE(w.size(), frame.size() - 3);
  std::memcpy(w.data(), frame.data() + 3, frame.size() - 3);
  s.Commit(frame.size() - 3);
  EXPECT_EQ(Drain(s), (std::vector<std::string>{"C5:payload"}));
}

TEST(StreamSplitterTest, BufferStaysBoundedOverLongStreams) {
  // Many frames through a splitter that always has a partial frame buffered: compaction must
  // keep memory bounded without per-frame growth.
  StreamSplitter s;
  const Bytes frame = Frame(0, std::string(1000, 'p'));
  size_t frames = 0;
  for (int i = 0; i < 10000; ++i) {
    const size_t half = frame.size() / 2;
    std::span<uint8_t> w = s.PrepareWrite(4096);
    std::memcpy(w.data(), frame.data() + half, frame.size() - half);
    std::memcpy(w.data() + frame.size() - half, frame.data(), half);
    s.Commit(frame.size());
    if (i == 0) {
      s.Next().status().IgnoreError();  // the first half-frame is garbage to skip
    }
    while (true) {
      auto r = s.Next();
      ASSERT_TRUE(r.ok());
      if (!r->has_value()) break;
      ++frames;
    }
    ASSERT_LE(s.buffered_bytes(), frame.size());
  }
  EXPECT_GE(frames, 9990u);
}

}  // namespace
}  // namespace sightline::rtsp
