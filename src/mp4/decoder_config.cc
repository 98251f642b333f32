#include "mp4/decoder_config.h"

#include <string>

#include "media/h264.h"
#include "media/h265.h"
#include "media/nal.h"

namespace sightline::mp4 {
namespace {

constexpr uint8_t kLengthSizeMinusOne = 3;

// H.264 profiles whose avcC carries chroma format and bit depths (14496-15 5.3.3.1.2).
bool HasAvcCExtension(uint8_t profile_idc) {
  return profile_idc == 100 || profile_idc == 110 || profile_idc == 122 || profile_idc == 144;
}

// chroma_format_idc, bit_depth_luma_minus8, bit_depth_chroma_minus8 behind reserved 1 bits: the
// same three bytes in avcC's extension and in hvcC.
void WriteChromaAndBitDepth(uint32_t chroma_format_idc, uint32_t bit_depth_luma,
                            uint32_t bit_depth_chroma, BoxWriter& w) {
  w.U8(static_cast<uint8_t>(0xfc | (chroma_format_idc & 3)));
  w.U8(static_cast<uint8_t>(0xf8 | ((bit_depth_luma - 8) & 7)));
  w.U8(static_cast<uint8_t>(0xf8 | ((bit_depth_chroma - 8) & 7)));
}

void WriteAvcC(const media::StreamParams& params, BoxWriter& w) {
  const media::H264Sps sps = media::ParseH264Sps(params.sps).value_or(media::H264Sps{});
  BoxWriter::Scope avcc = w.Box("avcC");
  w.U8(1);                           // configurationVersion
  w.U8(sps.profile_idc);             // AVCProfileIndication
  w.U8(sps.constraint_flags);        // profile_compatibility: the constraint_set flags byte
  w.U8(sps.level_idc);               // AVCLevelIndication
  w.U8(0xfc | kLengthSizeMinusOne);  // reserved '111111'b
  w.U8(0xe0 | (params.sps.empty() ? 0 : 1));  // reserved '111'b, numOfSequenceParameterSets
  if (!params.sps.empty()) {
    w.U16(static_cast<uint16_t>(params.sps.size()));
    w.Append(params.sps);
  }
  w.U8(params.pps.empty() ? 0 : 1);  // numOfPictureParameterSets
  if (!params.pps.empty()) {
    w.U16(static_cast<uint16_t>(params.pps.size()));
    w.Append(params.pps);
  }
  if (HasAvcCExtension(sps.profile_idc)) {
    WriteChromaAndBitDepth(sps.chroma_format_idc, sps.bit_depth_luma, sps.bit_depth_chroma, w);
    w.U8(0);  // numOfSequenceParameterSetExt
  }
}

void WriteHvcCArray(int nal_type, const Bytes& nal, BoxWriter& w) {
  // array_completeness 1 (as hvc1 requires), reserved 0, NAL_unit_type.
  w.U8(static_cast<uint8_t>(0x80 | nal_type));
  w.U16(1);  // numNalus
  w.U16(static_cast<uint16_t>(nal.size()));
  w.Append(nal);
}

void WriteHvcC(const media::StreamParams& params, BoxWriter& w) {
  const media::H265Sps sps = media::ParseH265Sps(params.sps).value_or(media::H265Sps{});
  // sps_temporal_id_nesting_flag: the last bit of the byte after the 2-byte NAL header
  // (H.265 7.3.2.2.1), not kept by the parser.
  const bool temporal_id_nested = params.sps.size() > 2 && (params.sps[2] & 1);
  const media::H265ProfileTierLevel& ptl = sps.ptl;
  BoxWriter::Scope hvcc = w.Box("hvcC");
  w.U8(1);  // configurationVersion
  w.U8(static_cast<uint8_t>(ptl.profile_space << 6 | ptl.tier_flag << 5 | ptl.profile_idc));
  w.U32(ptl.compatibility_flags);
  w.U16(static_cast<uint16_t>(ptl.constraint_flags >> 32));
  w.U32(static_cast<uint32_t>(ptl.constraint_flags));
  w.U8(ptl.level_idc);
  w.U16(0xf000);  // reserved '1111'b, min_spatial_segmentation_idc 0 (unknown)
  w.U8(0xfc);     // reserved '111111'b, parallelismType 0 (unknown)
  WriteChromaAndBitDepth(sps.chroma_format_idc, sps.bit_depth_luma, sps.bit_depth_chroma, w);
  w.U16(0);  // avgFrameRate 0: unspecified
  // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne.
  w.U8(static_cast<uint8_t>((sps.max_sub_layers & 7) << 3 | (temporal_id_nested ? 4 : 0) |
                            kLengthSizeMinusOne));
  const uint8_t arrays = !params.vps.empty() + !params.sps.empty() + !params.pps.empty();
  w.U8(arrays);  // numOfArrays
  if (!params.vps.empty()) WriteHvcCArray(media::kH265NalVps, params.vps, w);
  if (!params.sps.empty()) WriteHvcCArray(media::kH265NalSps, params.sps, w);
  if (!params.pps.empty()) WriteHvcCArray(media::kH265NalPps, params.pps, w);
}

// A 16-bit length and that many bytes.
bool ReadNalUnit(ByteReader& r, ByteSpan* nal) {
  uint16_t length = 0;
  return r.ReadBe16(&length) && r.ReadSpan(length, nal);
}

Status CheckLengthSize(uint8_t byte, std::string_view box) {
  if ((byte & 3) == kLengthSizeMinusOne) return Status::Ok();
  return UnimplementedError(std::string(box) + ": lengthSizeMinusOne " + std::to_string(byte & 3) +
                            ", only 4-byte NAL unit lengths are supported");
}

}  // namespace

void WriteDecoderConfig(const media::StreamParams& params, BoxWriter& w) {
  if (params.codec == media::Codec::kH264) {
    WriteAvcC(params, w);
  } else {
    WriteHvcC(params, w);
  }
}

Result<ParameterSets> ParseAvcC(ByteSpan payload) {
  ByteReader r(payload);
  uint8_t version = 0, profile = 0, compatibility = 0, level = 0, length_size = 0, count = 0;
  if (!r.ReadU8(&version) || !r.ReadU8(&profile) || !r.ReadU8(&compatibility) ||
      !r.ReadU8(&level) || !r.ReadU8(&length_size)) {
    return InvalidArgumentError("avcC: record of " + std::to_string(payload.size()) +
                                " bytes is shorter than its 5-byte header");
  }
  if (version != 1) {
    return UnimplementedError("avcC: configurationVersion " + std::to_string(version));
  }
  RETURN_IF_ERROR(CheckLengthSize(length_size, "avcC"));
  ParameterSets sets;
  if (!r.ReadU8(&count)) return InvalidArgumentError("avcC: no numOfSequenceParameterSets");
  for (int i = 0; i < (count & 0x1f); ++i) {
    ByteSpan nal;
    if (!ReadNalUnit(r, &nal)) {
      return InvalidArgumentError("avcC: sequence parameter set " + std::to_string(i) +
                                  " runs past the record");
    }
    if (i == 0) sets.sps.assign(nal.begin(), nal.end());
  }
  if (sets.sps.empty()) return InvalidArgumentError("avcC: no sequence parameter set");
  if (!r.ReadU8(&count)) return InvalidArgumentError("avcC: no numOfPictureParameterSets");
  for (int i = 0; i < count; ++i) {
    ByteSpan nal;
    if (!ReadNalUnit(r, &nal)) {
      return InvalidArgumentError("avcC: picture parameter set " + std::to_string(i) +
                                  " runs past the record");
    }
    if (i == 0) sets.pps.assign(nal.begin(), nal.end());
  }
  return sets;  // the high profiles' extension fields repeat what the SPS says
}

Result<ParameterSets> ParseHvcC(ByteSpan payload) {
  constexpr size_t kFixedBytes = 22;  // configurationVersion to lengthSizeMinusOne
  ByteReader r(payload);
  ByteSpan fixed;
  uint8_t arrays = 0;
  if (!r.ReadSpan(kFixedBytes, &fixed) || !r.ReadU8(&arrays)) {
    return InvalidArgumentError("hvcC: record of " + std::to_string(payload.size()) +
                                " bytes is shorter than its 23-byte header");
  }
  if (fixed[0] != 1) {
    return UnimplementedError("hvcC: configurationVersion " + std::to_string(fixed[0]));
  }
  RETURN_IF_ERROR(CheckLengthSize(fixed[kFixedBytes - 1], "hvcC"));
  ParameterSets sets;
  for (int a = 0; a < arrays; ++a) {
    uint8_t type_byte = 0;
    uint16_t count = 0;
    if (!r.ReadU8(&type_byte) || !r.ReadBe16(&count)) {
      return InvalidArgumentError("hvcC: array " + std::to_string(a) +
                                  " header runs past the record");
    }
    const int type = type_byte & 0x3f;
    Bytes* keep = type == media::kH265NalVps   ? &sets.vps
                  : type == media::kH265NalSps ? &sets.sps
                  : type == media::kH265NalPps ? &sets.pps
                                               : nullptr;
    for (int i = 0; i < count; ++i) {
      ByteSpan nal;
      if (!ReadNalUnit(r, &nal)) {
        return InvalidArgumentError("hvcC: array " + std::to_string(a) + " (NAL unit type " +
                                    std::to_string(type) + ") NAL unit " + std::to_string(i) +
                                    " runs past the record");
      }
      if (keep != nullptr && keep->empty()) keep->assign(nal.begin(), nal.end());
    }
  }
  if (sets.sps.empty()) return InvalidArgumentError("hvcC: no SPS array");
  return sets;
}

}  // namespace sightline::mp4
