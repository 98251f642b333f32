#include "rtsp/depacketizer.h"

#include "rtsp/h264_depacketizer.h"
#include "rtsp/h265_depacketizer.h"

namespace sightline::rtsp {

std::unique_ptr<Depacketizer> Depacketizer::Create(media::Codec codec) {
  if (codec == media::Codec::kH265) return std::make_unique<H265Depacketizer>();
  return std::make_unique<H264Depacketizer>();
}

}  // namespace sightline::rtsp
