#include "mp4/sample_entry.h"

#include <algorithm>
#include <string>

#include "mp4/decoder_config.h"
#include "mp4/fourcc.h"

namespace sightline::mp4 {
namespace {

// VisualSampleEntry fields before the child boxes: SampleEntry's 6 reserved bytes and
// data_reference_index, then 70 bytes of visual fields; width and height at offset 24.
constexpr size_t kVisualFieldBytes = 78;
constexpr size_t kWidthOffset = 24;

uint16_t Dimension(int pixels) { return static_cast<uint16_t>(std::clamp(pixels, 0, 0xffff)); }

}  // namespace

void WriteVisualSampleEntry(const media::StreamParams& params, BoxWriter& w) {
  BoxWriter::Scope entry = w.Box(params.codec == media::Codec::kH264 ? "avc1" : "hvc1");
  w.Zeros(6);   // reserved
  w.U16(1);     // data_reference_index: the dref entry "in this file"
  w.Zeros(16);  // pre_defined, reserved, pre_defined[3]
  w.U16(Dimension(params.width));
  w.U16(Dimension(params.height));
  w.U32(0x00480000);  // horizresolution: 72 dpi, 16.16
  w.U32(0x00480000);  // vertresolution
  w.U32(0);           // reserved
  w.U16(1);           // frame_count: one picture per sample
  w.Zeros(32);        // compressorname: empty
  w.U16(0x0018);      // depth: colour without alpha
  w.U16(0xffff);      // pre_defined -1
  WriteDecoderConfig(params, w);
}

Status ParseVisualSampleEntry(const Box& entry, std::string_view path, InitInfo* info) {
  const std::string where = std::string(path) + "/" + FourCcName(entry.type);
  const bool h264 = entry.type == FourCc("avc1") || entry.type == FourCc("avc3");
  const bool h265 = entry.type == FourCc("hvc1") || entry.type == FourCc("hev1");
  if (!h264 && !h265) {
    return UnimplementedError(std::string(path) + ": sample entry " + FourCcName(entry.type) +
                              " is not H.264 or H.265");
  }
  if (entry.payload.size() < kVisualFieldBytes) {
    return InvalidArgumentError(where + ": " + std::to_string(entry.payload.size()) +
                                " bytes, a visual sample entry needs " +
                                std::to_string(kVisualFieldBytes));
  }
  info->codec = h264 ? media::Codec::kH264 : media::Codec::kH265;
  info->width = LoadBe16(entry.payload.data() + kWidthOffset);
  info->height = LoadBe16(entry.payload.data() + kWidthOffset + 2);

  const uint32_t config_type = h264 ? FourCc("avcC") : FourCc("hvcC");
  BoxIterator children(entry.payload.subspan(kVisualFieldBytes),
                       entry.payload_offset() + kVisualFieldBytes);
  while (!children.done()) {
    Result<Box> child = children.Next();
    if (!child.ok()) return std::move(child).status().WithContext(where);
    if (child->type != config_type) continue;
    Result<ParameterSets> sets = h264 ? ParseAvcC(child->payload) : ParseHvcC(child->payload);
    if (!sets.ok()) return std::move(sets).status().WithContext(where);
    info->vps = std::move(sets->vps);
    info->sps = std::move(sets->sps);
    info->pps = std::move(sets->pps);
    return Status::Ok();
  }
  return InvalidArgumentError(where + ": no " + FourCcName(config_type) + " box");
}

}  // namespace sightline::mp4
