#include "media/stream_params.h"

#include <string>

#include "media/h264.h"
#include "media/h265.h"
#include "media/nal.h"

namespace sightline::media {
namespace {

Status CheckRole(Codec codec, ByteSpan nal, NalRole want, std::string_view what) {
  if (ClassifyNal(codec, nal) == want) return Status::Ok();
  const int type = codec == Codec::kH264 ? H264NalType(nal[0]) : H265NalType(nal[0]);
  return InvalidArgumentError(std::string(CodecName(codec)) + " stream parameters: NAL unit type " +
                              std::to_string(type) + " given as the " + std::string(what) +
                              " is not one");
}

}  // namespace

Result<std::shared_ptr<const StreamParams>> MakeStreamParams(Codec codec, ByteSpan vps,
                                                             ByteSpan sps, ByteSpan pps) {
  auto params = std::make_shared<StreamParams>();
  params->codec = codec;
  if (!pps.empty()) RETURN_IF_ERROR(CheckRole(codec, pps, NalRole::kPps, "PPS"));
  if (codec == Codec::kH264) {
    if (!vps.empty()) {
      return InvalidArgumentError("h264 stream parameters: H.264 has no VPS, but one was given");
    }
    Result<H264Sps> parsed = ParseH264Sps(sps);
    if (!parsed.ok()) return std::move(parsed).status().WithContext("h264 stream parameters");
    params->width = parsed->width;
    params->height = parsed->height;
    params->fps = parsed->fps;
    params->codec_string = H264CodecString(*parsed);
  } else {
    Result<H265Sps> parsed = ParseH265Sps(sps);
    if (!parsed.ok()) return std::move(parsed).status().WithContext("h265 stream parameters");
    params->width = parsed->width;
    params->height = parsed->height;
    params->fps = parsed->fps;
    params->codec_string = H265CodecString(parsed->ptl);
    if (!vps.empty()) {
      RETURN_IF_ERROR(CheckRole(codec, vps, NalRole::kVps, "VPS"));
      // The VPS only fills in a rate the SPS lacks; an unparsable one costs nothing else.
      if (!params->fps) {
        Result<H265Vps> parsed_vps = ParseH265Vps(vps);
        if (parsed_vps.ok()) params->fps = parsed_vps->fps;
      }
    }
  }
  params->vps.assign(vps.begin(), vps.end());
  params->sps.assign(sps.begin(), sps.end());
  params->pps.assign(pps.begin(), pps.end());
  return std::shared_ptr<const StreamParams>(std::move(params));
}

}  // namespace sightline::media
