#pragma once
// Decoded pictures. Picture owns one picture as the decoder produced it (FFmpeg's buffers,
// reference-counted, not copied); YuvView looks at its planes; YuvImage is a small owned copy
// (a thumbnail kept while an event is open). Plain values with one owner; not synchronised.

#include <cstdint>
#include <memory>

#include "media/grey.h"

struct AVFrame;

namespace sightline::decode {

// The three planes of an 8-bit planar YCbCr picture. Each plane has its own size, which says
// the chroma subsampling (4:2:0: chroma half as wide and half as high). `u` and `v` are empty
// for a monochrome picture. `full_range`: samples use 0..255 (JPEG, "yuvj") rather than the
// video range of 16..235 for luma and 16..240 for chroma (ITU-R BT.601 / BT.709).
struct YuvView {
  media::GreyView y, u, v;
  bool full_range = false;
};

// An owned 4:2:0 full-range picture (chroma planes (width + 1) / 2 by (height + 1) / 2), the
// form the JPEG encoder takes.
struct YuvImage {
  int width = 0;
  int height = 0;
  media::GreyPlane y, u, v;

  YuvView view() const { return {y.view(), u.view(), v.view(), true}; }
  bool empty() const { return width == 0; }
};

// `src` scaled (area average, aspect kept, never enlarged) to at most `max_width` pixels wide,
// converted to 4:2:0 full range. Width and height are rounded down to even numbers (JPEG's
// 4:2:0 MCUs and most players want them) but kept at least 2.
YuvImage ToJpegYuv(const YuvView& src, int max_width);

// The luma plane scaled (area average, aspect kept, never enlarged) to `width` columns: the
// input of the motion detector. See media::ScaledSize for the rounding.
media::GreyPlane ToGrey(const YuvView& src, int width);

class Picture {
 public:
  Picture();  // empty
  ~Picture();
  Picture(Picture&&) noexcept;
  Picture& operator=(Picture&&) noexcept;

  bool empty() const;
  int width() const;
  int height() const;
  int64_t pts_90k() const;
  bool keyframe() const;
  // Valid while this Picture holds the same picture (until the next Decoder::Receive into it).
  // Decoder::Receive only returns pictures in formats a YuvView describes.
  YuvView yuv() const;

  // For decode/ only: the FFmpeg frame Decoder::Receive fills (allocated on first use; null
  // when out of memory).
  AVFrame* av_frame();

 private:
  struct FrameFree {
    void operator()(AVFrame* f) const;
  };
  std::unique_ptr<AVFrame, FrameFree> frame_;
};

}  // namespace sightline::decode
