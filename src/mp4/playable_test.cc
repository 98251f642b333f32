// Players accept what this folder writes: real footage (../shared/media) demuxed with
// libavformat is written as a fragmented segment (init segment + one fragment per GOP) and as
// a progressive MP4; ffprobe must read each without a complaint, and libavformat must give
// back every frame bit-exact with its keyframe flag and timing. Lives in the unit test binary,
// which links the test support library (tests/support).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "media/nal.h"
#include "media/stream_params.h"
#include "mp4/box_reader.h"
#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/progressive.h"
#include "support/child_process.h"
#include "support/demux.h"
#include "support/frame_hash.h"
#include "support/shared_media.h"

namespace sightline::mp4 {
namespace {

using sightline::testing::SourceFrame;

// The parameter sets of the first keyframe, which carries them in band in this footage.
Result<std::shared_ptr<const media::StreamParams>> ParamsFromFirstKeyframe(
    const std::vector<SourceFrame>& frames) {
  if (frames.empty() || !frames[0].keyframe) {
    return InvalidArgumentError("clip does not start with a keyframe");
  }
  const media::Codec codec = frames[0].codec;
  ASSIGN_OR_RETURN(std::vector<ByteSpan> nals, media::SplitLengthPrefixed(frames[0].data));
  ByteSpan vps, sps, pps;
  for (ByteSpan nal : nals) {
    switch (media::ClassifyNal(codec, nal)) {
      case media::NalRole::kVps:
        vps = nal;
        break;
      case media::NalRole::kSps:
        sps = nal;
        break;
      case media::NalRole::kPps:
        pps = nal;
        break;
      default:
        break;
    }
  }
  return media::MakeStreamParams(codec, vps, sps, pps);
}

// Each frame lasts until the next; the last as long as the one before it.
std::vector<uint32_t> Durations90k(const std::vector<SourceFrame>& frames) {
  std::vector<uint32_t> d;
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    d.push_back(static_cast<uint32_t>((frames[i + 1].pts - frames[i].pts).ticks()));
  }
  d.push_back(d.empty() ? 9000 : d.back());
  return d;
}

class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(::testing::TempDir() + "/sightline_mp4_" + std::to_string(getpid()) + "_" + name) {}
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  bool Write(const Bytes& bytes) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
  }

 private:
  std::string path_;
};

struct ProbeResult {
  int exit_code = -1;
  std::vector<std::string> output;  // stdout and stderr, line by line
};

// Runs ffprobe with stderr joined to stdout, so that any complaint shows up as output.
Result<ProbeResult> Ffprobe(std::vector<std::string> args) {
  args.insert(args.begin(), {"-c", "exec ffprobe \"$@\" 2>&1", "ffprobe"});
  ASSIGN_OR_RETURN(std::unique_ptr<sightline::testing::ChildProcess> child,
                   sightline::testing::ChildProcess::Start("/bin/sh", args));
  ProbeResult result;
  for (;;) {
    Result<std::string> line = child->ReadLine(60000);
    if (!line.ok()) {
      if (line.status().code() != StatusCode::kOutOfRange) return line.status();
      break;
    }
    result.output.push_back(*line);
  }
  ASSIGN_OR_RETURN(result.exit_code, child->Wait(10000));
  return result;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// `path` decodes back to `source`: same frames, bytes, keyframes and frame timing.
void ExpectSameFrames(const std::string& path, const std::vector<SourceFrame>& source) {
  Result<std::vector<SourceFrame>> back = sightline::testing::DemuxFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    const SourceFrame& a = source[i];
    const SourceFrame& b = (*back)[i];
    ASSERT_EQ(b.hash, a.hash) << "frame " << i;
    ASSERT_EQ(b.data.size(), a.data.size()) << "frame " << i;
    ASSERT_EQ(b.keyframe, a.keyframe) << "frame " << i;
    ASSERT_EQ((b.pts - (*back)[0].pts).ticks(), (a.pts - source[0].pts).ticks()) << "frame " << i;
  }
}

// ffprobe sees a keyframe exactly where the source has one: the container's sync sample flags
// (trun sample flags, stss) agree with the pictures.
void ExpectKeyframeFlags(const std::string& path, const std::vector<SourceFrame>& source) {
  Result<ProbeResult> probe = Ffprobe({"-v", "error", "-select_streams", "v:0", "-show_entries",
                                       "packet=flags", "-of", "csv=p=0", path});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->exit_code, 0);
  ASSERT_EQ(probe->output.size(), source.size()) << "packets";
  for (size_t i = 0; i < source.size(); ++i) {
    ASSERT_EQ(probe->output[i].substr(0, 1), source[i].keyframe ? "K" : "_") << "packet " << i;
  }
}

class Mp4PlayableTest : public ::testing::TestWithParam<std::string_view> {
 protected:
  void SetUp() override {
    const std::optional<std::string> file = sightline::testing::SharedMediaFile(GetParam());
    if (!file) GTEST_SKIP() << sightline::testing::kNoSharedMediaMessage;
    Result<std::vector<SourceFrame>> frames = sightline::testing::DemuxFile(*file);
    ASSERT_TRUE(frames.ok()) << frames.status();
    frames_ = std::move(*frames);
    auto params = ParamsFromFirstKeyframe(frames_);
    ASSERT_TRUE(params.ok()) << params.status();
    params_ = *params;
    durations_ = Durations90k(frames_);
  }

  std::vector<SourceFrame> frames_;
  std::shared_ptr<const media::StreamParams> params_;
  std::vector<uint32_t> durations_;
};

TEST_P(Mp4PlayableTest, FragmentedSegmentPlaysBitExact) {
  Bytes file = WriteInitSegment(*params_);
  const uint64_t init_length = file.size();
  FragmentHeader header;
  size_t gops = 0;
  for (size_t start = 0; start < frames_.size();) {
    size_t end = start + 1;
    while (end < frames_.size() && !frames_[end].keyframe) ++end;
    std::vector<Sample> samples;
    for (size_t i = start; i < end; ++i) {
      samples.push_back({frames_[i].data, durations_[i], frames_[i].keyframe});
    }
    header.wall_time_us = 1700000000000000 + header.base_decode_time_90k * 100 / 9;
    AppendBytes(file, WriteFragment(header, samples));
    ++header.sequence;
    for (const Sample& s : samples) header.base_decode_time_90k += s.duration_90k;
    ++gops;
    start = end;
  }
  ASSERT_GT(gops, 1u);

  // Our own reader sees every GOP and frame. (ffprobe below checks what the flags mean only
  // for H.265: libavformat's H.264 parser sets H.264 keyframe flags from the slices.)
  const ScanResult scan = ScanFragments(ByteSpan(file).subspan(init_length), init_length);
  ASSERT_TRUE(scan.stopped.ok()) << scan.stopped;
  EXPECT_EQ(scan.fragments.size(), gops);
  EXPECT_EQ(scan.valid_end, file.size());
  size_t frame = 0;
  for (const FragmentInfo& f : scan.fragments) {
    Result<std::vector<SampleInfo>> samples =
        ParseFragmentSamples(ByteSpan(file).subspan(f.offset, f.length), f.offset);
    ASSERT_TRUE(samples.ok()) << samples.status();
    for (const SampleInfo& s : *samples) {
      ASSERT_LT(frame, frames_.size());
      EXPECT_EQ(s.keyframe, frames_[frame].keyframe) << "frame " << frame;
      EXPECT_EQ(sightline::testing::FrameHash(ByteSpan(file).subspan(s.offset, s.size)),
                frames_[frame].hash)
          << "frame " << frame;
      ++frame;
    }
  }
  EXPECT_EQ(frame, frames_.size());

  TempFile out(std::string(GetParam()) + ".frag.mp4");
  ASSERT_TRUE(out.Write(file));
  Result<ProbeResult> probe = Ffprobe({"-v", "error", out.path()});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->exit_code, 0);
  EXPECT_TRUE(probe->output.empty()) << Joined(probe->output);

  // The stream is what the init segment says.
  const char* codec = params_->codec == media::Codec::kH264 ? "h264" : "hevc";
  probe = Ffprobe({"-v", "error", "-select_streams", "v:0", "-show_entries",
                   "stream=codec_name,width,height", "-of", "default=nw=1", out.path()});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->exit_code, 0);
  EXPECT_EQ(Joined(probe->output), "codec_name=" + std::string(codec) +
                                       "\nwidth=" + std::to_string(params_->width) +
                                       "\nheight=" + std::to_string(params_->height) + "\n");

  ExpectKeyframeFlags(out.path(), frames_);
  ExpectSameFrames(out.path(), frames_);
}

TEST_P(Mp4PlayableTest, ProgressiveFilePlaysBitExactWithMoovFirst) {
  std::vector<SampleEntry> entries;
  uint64_t duration_90k = 0;
  for (size_t i = 0; i < frames_.size(); ++i) {
    entries.push_back(
        {static_cast<uint32_t>(frames_[i].data.size()), durations_[i], frames_[i].keyframe});
    duration_90k += durations_[i];
  }
  Bytes file = WriteProgressiveHeader(*params_, entries, 1700000000000000);
  for (const SourceFrame& f : frames_) AppendBytes(file, f.data);

  // ftyp, moov, then mdat running to the end of the file: playable while downloading.
  std::vector<uint32_t> types;
  BoxIterator top(file, 0);
  while (!top.done()) {
    Result<Box> box = top.Next();
    ASSERT_TRUE(box.ok()) << box.status();
    types.push_back(box->type);
  }
  EXPECT_EQ(types, (std::vector<uint32_t>{FourCc("ftyp"), FourCc("moov"), FourCc("mdat")}));

  TempFile out(std::string(GetParam()) + ".mp4");
  ASSERT_TRUE(out.Write(file));
  Result<ProbeResult> probe = Ffprobe({"-v", "error", out.path()});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->exit_code, 0);
  EXPECT_TRUE(probe->output.empty()) << Joined(probe->output);

  probe =
      Ffprobe({"-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", out.path()});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->exit_code, 0);
  ASSERT_EQ(probe->output.size(), 1u) << Joined(probe->output);
  const double expected_s = static_cast<double>(duration_90k) / kTimescale;
  EXPECT_NEAR(std::stod(probe->output[0]), expected_s, 0.01) << probe->output[0];

  ExpectKeyframeFlags(out.path(), frames_);
  ExpectSameFrames(out.path(), frames_);
}

INSTANTIATE_TEST_SUITE_P(Footage, Mp4PlayableTest,
                         ::testing::Values(sightline::testing::kPets360H264,
                                           sightline::testing::kPets1080H265),
                         [](const ::testing::TestParamInfo<std::string_view>& info) {
                           return std::string(info.param.find("h265") != std::string_view::npos
                                                  ? "H265_1080p"
                                                  : "H264_360p");
                         });

}  // namespace
}  // namespace sightline::mp4
