#pragma once
// Test helpers for the store: synthetic frames with real parameter sets, a temporary
// directory, and the invariant check every crash test runs after recovery.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "store/check.h"
#include "store/index.h"
#include "store/motion_grid_chunk.h"
#include "store/stream_recorder.h"

namespace sightline::store::testing {

// A camera at 10 fps with a keyframe every `gop` frames. Frame bytes are a length-prefixed
// NAL unit (IDR or non-IDR slice header byte, then a counter), so each frame is distinct.
class FrameSource {
 public:
  explicit FrameSource(int gop = 10, WallTime start = WallTime(std::chrono::seconds(1'700'000'000)))
      : gop_(gop), wall_(start) {
    params_ = *media::MakeStreamParams(media::Codec::kH264, {},
                                       media::testdata::kPets360pH264Sps,
                                       media::testdata::kPets360pH264Pps);
  }
  media::FramePtr Next(bool after_loss = false) {
    auto f = std::make_shared<media::Frame>();
    f->codec = media::Codec::kH264;
    f->keyframe = n_ % gop_ == 0;
    f->pts = media::Time90k(9000 * n_);
    f->wall_time = wall_ + std::chrono::milliseconds(100 * n_);
    f->after_loss = after_loss;
    f->params = params_;
    const uint8_t nal = f->keyframe ? 0x65 : 0x41;
    f->data = {0, 0, 0, 9, nal, 0x88, static_cast<uint8_t>(n_ >> 24),
               static_cast<uint8_t>(n_ >> 16), static_cast<uint8_t>(n_ >> 8),
               static_cast<uint8_t>(n_), 0x11, 0x22, 0x80};
    ++n_;
    return f;
  }
  // Skips `frames` frames of time (a camera outage) without producing them.
  void Skip(int frames) { n_ += frames; }
  int64_t count() const { return n_; }

 private:
  int gop_;
  WallTime wall_;
  int64_t n_ = 0;
  std::shared_ptr<const media::StreamParams> params_;
};

class TempDir {
 public:
  TempDir() { Make(); }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Removes the directory and makes a fresh one.
  void Reset() {
    std::filesystem::remove_all(path_);
    Make();
  }
  const std::string& path() const { return path_; }

 private:
  void Make() {
    char tmpl[] = "/tmp/sightline_store_test_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  std::string path_;
};

// A 72-byte motion grid with the cells (column, row) of columns [col0, col1] and rows
// [row0, row1] set, in the layout of schema.sql (MotionGrid::Serialize): cell row * 32 +
// column, most significant bit first.
inline Bytes GridOfCells(int col0, int row0, int col1, int row1) {
  Bytes grid(kMotionGridBytes, 0);
  for (int row = row0; row <= row1; ++row) {
    for (int col = col0; col <= col1; ++col) {
      const int cell = row * 32 + col;
      grid[cell / 8] |= static_cast<uint8_t>(0x80 >> (cell % 8));
    }
  }
  return grid;
}

// Retention by size only.
inline Retention MaxBytes(int64_t bytes) {
  Retention r;
  r.max_bytes = bytes;
  return r;
}

// The storage directories as the index knows them.
inline std::vector<StorageDir> DirsOf(Index& index) {
  std::vector<StorageDir> dirs;
  const std::vector<DirRow> rows = *index.Dirs();
  for (const DirRow& d : rows) dirs.push_back({d.id, d.path});
  return dirs;
}

// Invariant 1 of docs/design/storage.md for every row, with --full checks.
inline void ExpectIndexMatchesFiles(Env& env, Index& index, const std::vector<StorageDir>& dirs) {
  Result<CheckReport> r = CheckStore(env, index, dirs, CheckOptions{.full = true});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bad_segments, 0);
  EXPECT_EQ(r->orphan_files, 0);
  for (const std::string& p : r->problems) ADD_FAILURE() << p;
}

}  // namespace sightline::store::testing
