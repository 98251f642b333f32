#include "decode/picture.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "decode/downscale.h"

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
}

namespace sightline::decode {
namespace {

// Video range to full range (ITU-R BT.601 / BT.709 quantisation): luma 16..235 and chroma
// 16..240 (centred on 128) stretched to 0..255.
std::array<uint8_t, 256> RangeTable(bool luma) {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    const double v = luma ? (i - 16) * 255.0 / 219.0 : (i - 128) * 255.0 / 224.0 + 128.0;
    t[i] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  }
  return t;
}

void ExpandRange(const std::array<uint8_t, 256>& table, media::GreyPlane& plane) {
  for (uint8_t& p : plane.pixels) p = table[p];
}

media::GreyPlane ScalePlane(media::GreyView src, int width, int height) {
  if (src.empty()) return media::GreyPlane(width, height, 128);  // monochrome: neutral chroma
  return FastDownscale(src, width, height);
}

}  // namespace

YuvImage ToJpegYuv(const YuvView& src, int max_width) {
  YuvImage out;
  if (src.y.width < 2 || src.y.height < 2 || max_width < 2) return out;
  out.width = std::min(max_width, src.y.width) & ~1;
  out.height = static_cast<int>(std::lround(static_cast<double>(src.y.height) * out.width /
                                            src.y.width));
  out.height = std::clamp(out.height & ~1, 2, src.y.height & ~1);
  out.y = FastDownscale(src.y, out.width, out.height);
  out.u = ScalePlane(src.u, out.width / 2, out.height / 2);
  out.v = ScalePlane(src.v, out.width / 2, out.height / 2);
  if (!src.full_range) {
    static const std::array<uint8_t, 256> kLuma = RangeTable(true);
    static const std::array<uint8_t, 256> kChroma = RangeTable(false);
    ExpandRange(kLuma, out.y);
    ExpandRange(kChroma, out.u);
    ExpandRange(kChroma, out.v);
  }
  return out;
}

media::GreyPlane ToGrey(const YuvView& src, int width) {
  int w = 0, h = 0;
  media::ScaledSize(src.y.width, src.y.height, width, &w, &h);
  return FastDownscale(src.y, w, h);
}

void Picture::FrameFree::operator()(AVFrame* f) const { av_frame_free(&f); }

Picture::Picture() = default;
Picture::~Picture() = default;
Picture::Picture(Picture&&) noexcept = default;
Picture& Picture::operator=(Picture&&) noexcept = default;

AVFrame* Picture::av_frame() {
  if (frame_ == nullptr) frame_.reset(av_frame_alloc());
  return frame_.get();
}

bool Picture::empty() const { return frame_ == nullptr || frame_->data[0] == nullptr; }
int Picture::width() const { return empty() ? 0 : frame_->width; }
int Picture::height() const { return empty() ? 0 : frame_->height; }
int64_t Picture::pts_90k() const {
  if (empty()) return 0;
  return frame_->pts != AV_NOPTS_VALUE ? frame_->pts : frame_->best_effort_timestamp;
}
bool Picture::keyframe() const { return !empty() && frame_->key_frame; }

YuvView Picture::yuv() const {
  YuvView view;
  if (empty()) return view;
  const AVFrame& f = *frame_;
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(f.format));
  view.y = {f.data[0], f.width, f.height, f.linesize[0]};
  if (desc != nullptr && desc->nb_components >= 3) {
    const int cw = AV_CEIL_RSHIFT(f.width, desc->log2_chroma_w);
    const int ch = AV_CEIL_RSHIFT(f.height, desc->log2_chroma_h);
    view.u = {f.data[1], cw, ch, f.linesize[1]};
    view.v = {f.data[2], cw, ch, f.linesize[2]};
  }
  view.full_range = f.color_range == AVCOL_RANGE_JPEG || f.format == AV_PIX_FMT_YUVJ420P ||
                    f.format == AV_PIX_FMT_YUVJ422P || f.format == AV_PIX_FMT_YUVJ444P;
  return view;
}

}  // namespace sightline::decode
