#include "store/export.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "mp4/fourcc.h"
#include "mp4/test_boxes.h"
#include "store/export_reader.h"
#include "store/fault_injection_env.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using namespace std::chrono_literals;
using mp4::testing::FindBoxPath;
using testing::FrameSource;

constexpr int64_t kT0 = 1'700'000'000'000'000;  // FrameSource's first frame, Unix us
constexpr int64_t kFrameUs = 100'000;           // 10 fps
constexpr const char* kStbl = "moov/trak/mdia/minf/stbl/";

// What a test reads back from an exported file: the FrameSource counter of every sample, as
// the sample table and mdat say, plus the track's sample description.
struct ExportedFile {
  std::vector<int64_t> frames;    // FrameSource frame numbers, in file order
  std::vector<bool> keyframes;    // per sample, from stss
  std::vector<uint32_t> durations_90k;
  uint32_t sample_entry = 0;      // avc1, hvc1
  int width = 0;
  int height = 0;
  bool moov_before_mdat = false;
};

uint32_t U32At(ByteSpan payload, size_t at) { return LoadBe32(payload.data() + at); }

// A small reader for the one-chunk progressive files Export writes (it relies on that shape:
// stsc with one entry, one chunk offset).
Result<ExportedFile> ReadExport(const std::string& path) {
  ASSIGN_OR_RETURN(uint64_t size, DefaultEnv()->FileSize(path));
  ASSIGN_OR_RETURN(Bytes file, DefaultEnv()->Read(path, 0, size));
  ExportedFile out;
  ASSIGN_OR_RETURN(mp4::Box moov, FindBoxPath(file, "moov"));
  ASSIGN_OR_RETURN(mp4::Box mdat, FindBoxPath(file, "mdat"));
  out.moov_before_mdat = moov.offset < mdat.offset;
  ASSIGN_OR_RETURN(mp4::Box stsd, FindBoxPath(file, std::string(kStbl) + "stsd"));
  // stsd: version/flags, entry_count, then the visual sample entry (14496-12 12.1.3):
  // size, type, 6 reserved, data_reference_index, 16 bytes, width, height.
  out.sample_entry = U32At(stsd.payload, 12);
  out.width = LoadBe16(stsd.payload.data() + 8 + 32);
  out.height = LoadBe16(stsd.payload.data() + 8 + 34);
  ASSIGN_OR_RETURN(mp4::Box stsz, FindBoxPath(file, std::string(kStbl) + "stsz"));
  ASSIGN_OR_RETURN(mp4::Box stts, FindBoxPath(file, std::string(kStbl) + "stts"));
  ASSIGN_OR_RETURN(mp4::Box stco, FindBoxPath(file, std::string(kStbl) + "stco"));
  const uint32_t count = U32At(stsz.payload, 8);
  for (uint32_t i = 0, runs = U32At(stts.payload, 4); i < runs; ++i) {
    for (uint32_t k = 0; k < U32At(stts.payload, 8 + 8 * i); ++k) {
      out.durations_90k.push_back(U32At(stts.payload, 12 + 8 * i));
    }
  }
  out.keyframes.assign(count, true);
  if (Result<mp4::Box> stss = FindBoxPath(file, std::string(kStbl) + "stss"); stss.ok()) {
    out.keyframes.assign(count, false);
    for (uint32_t i = 0, n = U32At(stss->payload, 4); i < n; ++i) {
      out.keyframes.at(U32At(stss->payload, 8 + 4 * i) - 1) = true;
    }
  }
  uint64_t offset = U32At(stco.payload, 8);
  if (offset != mdat.payload_offset()) return InvalidArgumentError("chunk is not at mdat");
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t sample_size = U32At(stsz.payload, 12 + 4 * i);
    // FrameSource's frames: a 4-byte length, two header bytes, the counter, three bytes.
    if (sample_size != 13 || offset + sample_size > file.size()) {
      return InvalidArgumentError("sample " + std::to_string(i) + " is not a FrameSource frame");
    }
    out.frames.push_back(LoadBe32(&file[offset + 6]));
    offset += sample_size;
  }
  if (offset != file.size()) return InvalidArgumentError("bytes after the last sample");
  return out;
}

std::vector<int64_t> Range(int64_t first, int64_t last) {  // [first, last]
  std::vector<int64_t> v;
  for (int64_t i = first; i <= last; ++i) v.push_back(i);
  return v;
}

// The same frames with other parameter sets: a camera switched to 1080p.
media::FramePtr WithParams(media::FramePtr frame,
                           std::shared_ptr<const media::StreamParams> params) {
  auto f = std::make_shared<media::Frame>(*frame);
  f->params = std::move(params);
  return f;
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.dirs = {{disk(), 0}};
    o.index_path = tmp_.path() + "/index.db";
    o.flush_interval = 30ms;
    o.segment_duration = 6s;
    o.clock = &clock_;
    o.on_fatal = [](const Status& s) { ADD_FAILURE() << s; };
    Result<std::unique_ptr<Store>> s = Store::Open(std::move(o), {{"front", "main", {}}});
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    recorder_ = store_->recorder("front", "main");
  }
  std::string disk() const { return tmp_.path() + "/disk"; }
  std::string out(const std::string& name) const { return tmp_.path() + "/" + name; }

  void Feed(int n, bool after_loss = false) {
    for (int i = 0; i < n; ++i) recorder_->OnFrame(src_.Next(after_loss && i == 0));
  }
  // Closes the store (every segment committed) and opens a read-only index, as the CLI does.
  void Finish() {
    store_->Close();
    Result<std::unique_ptr<Index>> i = Index::Open(tmp_.path() + "/index.db", true);
    ASSERT_TRUE(i.ok()) << i.status();
    index_ = std::move(*i);
    Result<std::vector<StorageDir>> dirs = FindStorageDirs(*DefaultEnv(), *index_, {disk()});
    ASSERT_TRUE(dirs.ok()) << dirs.status();
    ASSERT_EQ(dirs->size(), 1u);
    dirs_ = *dirs;
  }
  Result<ExportResult> Run(int64_t start_us, int64_t end_us, const std::string& name,
                           Env* env = DefaultEnv()) {
    return Export(*env, *index_, dirs_, {"front", "main", start_us, end_us, out(name)});
  }
  // Files in the test directory besides the store's.
  std::vector<std::string> OutputFiles() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(tmp_.path())) {
      const std::string n = e.path().filename();
      if (n != "disk" && !n.starts_with("index.db")) names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::TempDir tmp_;
  RealClock clock_;
  FrameSource src_;
  std::unique_ptr<Store> store_;
  StreamRecorder* recorder_ = nullptr;
  std::unique_ptr<Index> index_;
  std::vector<StorageDir> dirs_;
};

TEST_F(ExportTest, ARangeStartingMidGopBeginsAtThePrecedingKeyframe) {
  Feed(60);
  ASSERT_NO_FATAL_FAILURE(Finish());
  // 3.45 s lies in the GOP of frames 30..39; frames before 5.25 s end at frame 52.
  Result<ExportResult> r = Run(kT0 + 3'450'000, kT0 + 5'250'000, "clip.mp4");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->parts.size(), 1u);
  const ExportPart& p = r->parts[0];
  EXPECT_EQ(p.path, out("clip.mp4"));
  EXPECT_EQ(p.starts_after, PartStart::kRangeStart);
  EXPECT_EQ(p.start_us, kT0 + 30 * kFrameUs);
  EXPECT_EQ(p.end_us, kT0 + 53 * kFrameUs);
  EXPECT_EQ(p.frames, 23);
  EXPECT_EQ(p.segments, 1);
  EXPECT_EQ(p.codec, "avc1.4d4016");
  EXPECT_EQ(p.width, 640);
  EXPECT_EQ(p.bytes, std::filesystem::file_size(p.path));

  Result<ExportedFile> f = ReadExport(p.path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->moov_before_mdat);
  EXPECT_EQ(f->sample_entry, mp4::FourCc("avc1"));
  EXPECT_EQ(f->width, 640);
  EXPECT_EQ(f->height, 360);
  EXPECT_EQ(f->frames, Range(30, 52));
  ASSERT_EQ(f->keyframes.size(), 23u);
  for (size_t i = 0; i < 23; ++i) EXPECT_EQ(f->keyframes[i], (30 + i) % 10 == 0) << i;
  EXPECT_EQ(f->durations_90k, std::vector<uint32_t>(23, 9000));
  EXPECT_EQ(OutputFiles(), std::vector<std::string>{"clip.mp4"});
}

TEST_F(ExportTest, ARangeStartingOnAKeyframeStartsThere) {
  Feed(60);
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<ExportResult> r = Run(kT0 + 2'000'000, kT0 + 3'000'000, "clip.mp4");
  ASSERT_TRUE(r.ok()) << r.status();
  Result<ExportedFile> f = ReadExport(out("clip.mp4"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->frames, Range(20, 29));
}

TEST_F(ExportTest, SegmentBoundariesAreJoinedIntoOneFile) {
  Feed(200);  // 20 s: segments 0-6, 6-12, 12-18, 18-20
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<ExportResult> r = Run(kT0 + 4'500'000, kT0 + 13'250'000, "clip.mp4");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->parts.size(), 1u);
  EXPECT_EQ(r->parts[0].segments, 3);
  EXPECT_EQ(r->parts[0].frames, 93);
  Result<ExportedFile> f = ReadExport(out("clip.mp4"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->frames, Range(40, 132));
  EXPECT_EQ(f->durations_90k, std::vector<uint32_t>(93, 9000));
}

TEST_F(ExportTest, AGapSplitsTheExportIntoParts) {
  Feed(30);     // 0.0 - 3.0 s
  src_.Skip(50);  // the camera was away for 5 s
  Feed(40, /*after_loss=*/true);  // 8.0 - 12.0 s
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<ExportResult> r = Run(kT0 + 1'500'000, kT0 + 10'450'000, "clip.mp4");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->parts.size(), 2u);
  const ExportPart& a = r->parts[0];
  const ExportPart& b = r->parts[1];
  EXPECT_EQ(a.path, out("clip.part1.mp4"));
  EXPECT_EQ(b.path, out("clip.part2.mp4"));
  EXPECT_EQ(a.starts_after, PartStart::kRangeStart);
  EXPECT_EQ(b.starts_after, PartStart::kGap);
  EXPECT_EQ(a.start_us, kT0 + 1'000'000);
  EXPECT_EQ(a.end_us, kT0 + 3'000'000);
  EXPECT_EQ(b.start_us, kT0 + 8'000'000);
  EXPECT_EQ(b.end_us, kT0 + 10'500'000);
  Result<ExportedFile> fa = ReadExport(a.path);
  Result<ExportedFile> fb = ReadExport(b.path);
  ASSERT_TRUE(fa.ok()) << fa.status();
  ASSERT_TRUE(fb.ok()) << fb.status();
  EXPECT_EQ(fa->frames, Range(10, 29));
  EXPECT_EQ(fb->frames, Range(80, 104));
  EXPECT_EQ(OutputFiles(), (std::vector<std::string>{"clip.part1.mp4", "clip.part2.mp4"}));
}

TEST_F(ExportTest, NothingRecordedInTheRangeIsNotFound) {
  Feed(30);
  src_.Skip(50);
  Feed(30, /*after_loss=*/true);
  ASSERT_NO_FATAL_FAILURE(Finish());
  // Inside the gap (3.0 - 8.0 s), before the first frame, after the last.
  for (auto [start, end] : {std::pair{3'500'000, 7'500'000}, std::pair{-9'000'000, -1'000'000},
                            std::pair{11'000'000, 20'000'000}}) {
    Result<ExportResult> r = Run(kT0 + start, kT0 + end, "clip.mp4");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status();
    EXPECT_NE(r.status().message().find("front/main"), std::string::npos) << r.status();
  }
  Result<ExportResult> unknown =
      Export(*DefaultEnv(), *index_, dirs_, {"back", "main", kT0, kT0 + 1'000'000, out("x.mp4")});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound) << unknown.status();
  EXPECT_EQ(Run(kT0 + 2'000'000, kT0 + 1'000'000, "clip.mp4").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(OutputFiles().empty());
}

TEST_F(ExportTest, AParameterChangeSplitsTheExportIntoParts) {
  auto hd = *media::MakeStreamParams(media::Codec::kH264, {}, media::testdata::kPets1080pH264Sps,
                                     media::testdata::kPets1080pH264Pps);
  Feed(30);
  for (int i = 0; i < 30; ++i) recorder_->OnFrame(WithParams(src_.Next(), hd));
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<ExportResult> r = Run(kT0 + 1'000'000, kT0 + 5'000'000, "clip.mp4");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->parts.size(), 2u);
  EXPECT_EQ(r->parts[1].starts_after, PartStart::kParamsChange);
  EXPECT_EQ(r->parts[0].end_us, r->parts[1].start_us);
  EXPECT_EQ(r->parts[0].width, 640);
  EXPECT_EQ(r->parts[1].width, 1920);
  Result<ExportedFile> fa = ReadExport(r->parts[0].path);
  Result<ExportedFile> fb = ReadExport(r->parts[1].path);
  ASSERT_TRUE(fa.ok()) << fa.status();
  ASSERT_TRUE(fb.ok()) << fb.status();
  EXPECT_EQ(fa->frames, Range(10, 29));
  EXPECT_EQ(fa->width, 640);
  EXPECT_EQ(fb->frames, Range(30, 49));
  EXPECT_EQ(fb->width, 1920);
  EXPECT_EQ(fb->height, 1080);
}

TEST_F(ExportTest, AMissingSegmentFileIsNamedAndLeavesNoOutput) {
  Feed(200);
  ASSERT_NO_FATAL_FAILURE(Finish());
  const std::string victim = disk() + "/" + SegmentRelativePath("front", "main", 2);
  std::filesystem::remove(victim);
  Result<ExportResult> r = Run(kT0 + 1'000'000, kT0 + 15'000'000, "clip.mp4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find(victim), std::string::npos) << r.status();
  EXPECT_TRUE(OutputFiles().empty());
}

TEST_F(ExportTest, ASegmentInADirectoryNotConfiguredIsNamed) {
  Feed(20);
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<ExportResult> r =
      Export(*DefaultEnv(), *index_, {}, {"front", "main", kT0, kT0 + 1'000'000, out("x.mp4")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("storage directory " + disk()), std::string::npos)
      << r.status();
}

TEST_F(ExportTest, AFailedWriteLeavesNoOutput) {
  Feed(200);
  ASSERT_NO_FATAL_FAILURE(Finish());
  FaultInjectionEnv full;
  full.SetCapacity(1000);  // less than the export: the disk fills up
  Result<ExportResult> r = Run(kT0, kT0 + 15'000'000, "clip.mp4", &full);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status();
  EXPECT_TRUE(OutputFiles().empty());
}

TEST_F(ExportTest, AnOpenSegmentIsExportedUpToItsCommittedFragments) {
  Feed(45);  // GOPs 0-3 written; the fourth is still being assembled
  // Wait for the flush that commits the written GOPs.
  std::unique_ptr<Index> reader;
  for (int i = 0; i < 500; ++i) {
    std::this_thread::sleep_for(10ms);
    Result<std::unique_ptr<Index>> idx = Index::Open(tmp_.path() + "/index.db", true);
    ASSERT_TRUE(idx.ok()) << idx.status();
    std::optional<StreamRow> s = *(*idx)->FindStream("front", "main");
    std::vector<SegmentRow> rows = *(*idx)->SegmentsInRange(s->id, kT0, kT0 + 60'000'000);
    if (!rows.empty() && rows[0].frames == 40) {
      EXPECT_TRUE(rows[0].open);
      reader = std::move(*idx);
      break;
    }
  }
  ASSERT_NE(reader, nullptr) << "the first 4 GOPs were never committed";
  Result<std::vector<StorageDir>> dirs = FindStorageDirs(*DefaultEnv(), *reader, {disk()});
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  Result<ExportResult> r = Export(*DefaultEnv(), *reader, *dirs,
                                  {"front", "main", kT0, kT0 + 60'000'000, out("live.mp4")});
  ASSERT_TRUE(r.ok()) << r.status();
  Result<ExportedFile> f = ReadExport(out("live.mp4"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->frames, Range(0, 39));
  store_->Close();
}

// The API streams exports with ExportReader; `sightline export` writes files with Export. The
// bytes must be the same, part by part.
TEST_F(ExportTest, TheReaderStreamsExactlyTheBytesOfTheExportedFiles) {
  Feed(30);       // 0.0 - 3.0 s
  src_.Skip(50);  // a gap: two parts
  Feed(160, /*after_loss=*/true);  // 8.0 - 24.0 s, over several segments
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<ExportResult> files = Run(kT0 + 1'500'000, kT0 + 20'450'000, "clip.mp4");
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->parts.size(), 2u);

  Result<std::unique_ptr<ExportReader>> reader = ExportReader::Open(
      *DefaultEnv(), *index_, dirs_, {"front", "main", kT0 + 1'500'000, kT0 + 20'450'000, ""});
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ((*reader)->parts(), 2u);
  EXPECT_EQ((*reader)->Next().status().code(), StatusCode::kFailedPrecondition);
  for (size_t i : {1u, 0u}) {  // in any order
    SCOPED_TRACE(i);
    Result<ExportPart> part = (*reader)->Prepare(i);
    ASSERT_TRUE(part.ok()) << part.status();
    const ExportPart& file = files->parts[i];
    EXPECT_EQ(part->path, "");
    EXPECT_EQ(part->bytes, file.bytes);
    EXPECT_EQ(part->start_us, file.start_us);
    EXPECT_EQ(part->end_us, file.end_us);
    EXPECT_EQ(part->frames, file.frames);
    EXPECT_EQ(part->segments, file.segments);
    Bytes streamed;
    int chunks = 0;
    for (;;) {
      Result<Bytes> chunk = (*reader)->Next();
      ASSERT_TRUE(chunk.ok()) << chunk.status();
      if (chunk->empty()) break;
      ++chunks;
      AppendBytes(streamed, *chunk);
    }
    EXPECT_GE(chunks, 2);  // the header, then the samples
    Result<Bytes> written = DefaultEnv()->Read(file.path, 0, file.bytes + 1);
    ASSERT_TRUE(written.ok()) << written.status();
    EXPECT_TRUE(streamed == *written);
    EXPECT_TRUE((*reader)->Next()->empty());  // stays at the end
  }
}

TEST_F(ExportTest, TheReaderNamesASegmentDeletedWhileStreaming) {
  Feed(200);
  ASSERT_NO_FATAL_FAILURE(Finish());
  Result<std::unique_ptr<ExportReader>> reader = ExportReader::Open(
      *DefaultEnv(), *index_, dirs_, {"front", "main", kT0, kT0 + 15'000'000, ""});
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE((*reader)->Prepare(0).ok());
  ASSERT_TRUE((*reader)->Next().ok());  // the header
  const std::string victim = disk() + "/" + SegmentRelativePath("front", "main", 2);
  std::filesystem::remove(victim);  // retention, meanwhile
  Status status;
  for (int i = 0; i < 10 && status.ok(); ++i) {
    Result<Bytes> chunk = (*reader)->Next();
    if (!chunk.ok()) status = chunk.status();
    if (chunk.ok() && chunk->empty()) break;
  }
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status;
  EXPECT_NE(status.message().find(victim), std::string::npos) << status;
  EXPECT_NE(status.message().find("export of front/main"), std::string::npos) << status;
}

TEST(ExportPartPathTest, InsertsThePartNumberBeforeTheExtension) {
  EXPECT_EQ(ExportPartPath("clip.mp4", 1), "clip.part1.mp4");
  EXPECT_EQ(ExportPartPath("/a.b/clip.mp4", 12), "/a.b/clip.part12.mp4");
  EXPECT_EQ(ExportPartPath("/a.b/clip", 2), "/a.b/clip.part2");
  EXPECT_EQ(ExportPartPath("/tmp/.clip", 2), "/tmp/.clip.part2");
}

TEST(Iso8601Test, ParsesTheFormsTheCommandLineTakes) {
  const int64_t t = 1'795'256'100'000'000;  // 2026-11-21T10:15:00Z
  EXPECT_EQ(*ParseIso8601("2026-11-21T10:15:00Z"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21T10:15:00"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21 10:15:00"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21T10:15Z"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21T10:15:00.5Z"), t + 500'000);
  EXPECT_EQ(*ParseIso8601("2026-11-21T10:15:00,123456789Z"), t + 123'456);
  EXPECT_EQ(*ParseIso8601("2026-11-21T11:15:00+01:00"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21T11:15:00+0100"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21T11:15:00+01"), t);
  EXPECT_EQ(*ParseIso8601("2026-11-21T05:45:00-04:30"), t);
  EXPECT_EQ(*ParseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIso8601("1969-12-31T23:59:59Z"), -1'000'000);
  EXPECT_EQ(*ParseIso8601("2024-02-29T00:00:00Z"), 1'709'164'800'000'000);
}

TEST(Iso8601Test, RejectsWhatIsNotATime) {
  for (const char* bad : {"", "2026-11-21", "2026-11-21T10", "2026-13-01T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z",
                          "2026-11-21T10:15:00.Z", "2026-11-21T10:15:00+1", "2026-11-21T10:15:00Zx",
                          "2026-11-21T10:15:00 UTC", "1700000000", "2026/11/21T10:15:00Z"}) {
    Result<int64_t> r = ParseIso8601(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status();
  }
}

TEST(Iso8601Test, FormatsUtcWithMillisecondsWhenNeeded) {
  EXPECT_EQ(FormatIso8601(1'795'256'100'000'000), "2026-11-21T10:15:00Z");
  EXPECT_EQ(FormatIso8601(1'795'256'100'500'000), "2026-11-21T10:15:00.500Z");
  EXPECT_EQ(FormatIso8601(-1'000'000), "1969-12-31T23:59:59Z");
  for (int64_t t : {int64_t{0}, kT0 + 123'000, int64_t{1'795'256'100'000'000}}) {
    EXPECT_EQ(*ParseIso8601(FormatIso8601(t)), t);
  }
}

}  // namespace
}  // namespace sightline::store
