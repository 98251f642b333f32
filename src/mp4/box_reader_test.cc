#include "mp4/box_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mp4/box_writer.h"
#include "mp4/fourcc.h"

namespace sightline::mp4 {
namespace {

using ::testing::HasSubstr;

TEST(Mp4BoxReaderTest, ReadsCompactLargeAndToEndSizes) {
  Bytes data = {0, 0, 0, 10, 'f', 'r', 'e', 'e', 0xaa, 0xbb};  // 32-bit size
  const Bytes large = {0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 17, 0x42};
  AppendBytes(data, large);
  AppendBytes(data, Bytes{0, 0, 0, 0, 's', 'k', 'i', 'p', 1, 2, 3});  // size 0: to the end

  BoxIterator it(data, 100);
  Result<Box> a = it.Next();
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->type, FourCc("free"));
  EXPECT_EQ(a->offset, 100u);
  EXPECT_EQ(a->payload.size(), 2u);
  EXPECT_EQ(a->payload_offset(), 108u);

  Result<Box> b = it.Next();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->type, FourCc("mdat"));
  EXPECT_EQ(b->offset, 110u);
  EXPECT_EQ(b->bytes.size(), 17u);
  ASSERT_EQ(b->payload.size(), 1u);
  EXPECT_EQ(b->payload[0], 0x42);
  EXPECT_EQ(b->payload_offset(), 126u);

  Result<Box> c = it.Next();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->type, FourCc("skip"));
  EXPECT_EQ(c->payload.size(), 3u);
  EXPECT_TRUE(it.done());
}

TEST(Mp4BoxReaderTest, TruncatedBoxesAreOutOfRange) {
  const Bytes whole = {0, 0, 0, 12, 'm', 'o', 'o', 'f', 1, 2, 3, 4};
  for (size_t n = 0; n < whole.size(); ++n) {
    Result<Box> box = ReadBox(ByteSpan(whole).first(n), 5);
    ASSERT_FALSE(box.ok()) << n;
    EXPECT_EQ(box.status().code(), StatusCode::kOutOfRange) << n;
    EXPECT_THAT(box.status().message(), HasSubstr("offset 5")) << n;
  }
  const Bytes large_cut = {0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0};
  EXPECT_EQ(ReadBox(large_cut, 0).status().code(), StatusCode::kOutOfRange);
  const Bytes large_huge = {0,    0,    0,    1,    'm',  'd',  'a',  't',
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(ReadBox(large_huge, 0).status().code(), StatusCode::kOutOfRange);
}

TEST(Mp4BoxReaderTest, SizeSmallerThanHeaderIsInvalid) {
  const Bytes tiny = {0, 0, 0, 7, 'm', 'o', 'o', 'v', 0};
  Result<Box> box = ReadBox(tiny, 0);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(box.status().message(), HasSubstr("moov at offset 0: size 7"));

  const Bytes large_tiny = {0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 15};
  EXPECT_EQ(ReadBox(large_tiny, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(Mp4BoxReaderTest, FindChildSearchesThePayloadAndNamesThePath) {
  BoxWriter w;
  {
    BoxWriter::Scope moov = w.Box("moov");
    { BoxWriter::Scope a = w.Box("mvhd"); }
    {
      BoxWriter::Scope b = w.Box("trak");
      w.U8(9);
    }
  }
  const Bytes bytes = std::move(w).Take();
  Result<Box> moov = ReadBox(bytes, 0);
  ASSERT_TRUE(moov.ok());
  Result<Box> trak = FindChild(*moov, FourCc("trak"), "moov");
  ASSERT_TRUE(trak.ok()) << trak.status();
  EXPECT_EQ(trak->offset, 16u);
  EXPECT_EQ(trak->payload.size(), 1u);

  Result<Box> missing = FindChild(*moov, FourCc("mvex"), "moov");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("moov: no mvex box"));
}

TEST(Mp4BoxReaderTest, FourCcNameEscapesUnprintableTypes) {
  EXPECT_EQ(FourCcName(FourCc("url ")), "url ");
  EXPECT_EQ(FourCcName(0), "0x00000000");
  EXPECT_EQ(FourCcName(0x6d6f6f0a), "0x6d6f6f0a");
}

}  // namespace
}  // namespace sightline::mp4
