#include "tools/camsim/decoder_config.h"

#include <string>

#include "media/nal.h"

namespace sightline::camsim {
namespace {

Status Truncated(const char* what, const ByteReader& r) {
  return InvalidArgumentError(std::string(what) + " truncated at byte " +
                              std::to_string(r.position()));
}

Status ReadNalUnits(const char* what, ByteReader& r, int count, std::vector<Bytes>& out) {
  for (int i = 0; i < count; ++i) {
    uint16_t len = 0;
    ByteSpan nal;
    if (!r.ReadBe16(&len) || !r.ReadSpan(len, &nal)) return Truncated(what, r);
    if (len == 0) continue;  // tolerated: an empty entry carries nothing
    out.emplace_back(nal.begin(), nal.end());
  }
  return Status::Ok();
}

Result<int> LengthSize(const char* what, uint8_t low_bits, size_t offset) {
  const int size = (low_bits & 0x03) + 1;
  if (size == 3) {
    return InvalidArgumentError(std::string(what) + ": lengthSizeMinusOne 2 is invalid (byte " +
                                std::to_string(offset) + ")");
  }
  return size;
}

// ISO/IEC 14496-15 section 5.3.3.1.2.
Result<DecoderConfig> ParseAvcC(ByteSpan record) {
  DecoderConfig c;
  ByteReader r(record);
  uint8_t version = 0, profile = 0, compat = 0, level = 0, len_byte = 0, num_sps = 0, num_pps = 0;
  if (!r.ReadU8(&version) || !r.ReadU8(&profile) || !r.ReadU8(&compat) || !r.ReadU8(&level) ||
      !r.ReadU8(&len_byte) || !r.ReadU8(&num_sps)) {
    return Truncated("avcC header", r);
  }
  if (version != 1) {
    return InvalidArgumentError("avcC: configurationVersion " + std::to_string(version) +
                                " at byte 0, expected 1");
  }
  ASSIGN_OR_RETURN(c.length_size, LengthSize("avcC", len_byte, 4));
  RETURN_IF_ERROR(ReadNalUnits("avcC SPS", r, num_sps & 0x1f, c.sps));
  if (!r.ReadU8(&num_pps)) return Truncated("avcC PPS count", r);
  RETURN_IF_ERROR(ReadNalUnits("avcC PPS", r, num_pps, c.pps));
  // Trailing fields for High profiles (chroma format, bit depths, SPS extensions) are not needed.
  return c;
}

// ISO/IEC 14496-15 section 8.3.3.1.2: 22 bytes of profile/tier/level fields, the length size
// in the low bits of byte 21, then arrays of NAL units grouped by type.
Result<DecoderConfig> ParseHvcC(ByteSpan record) {
  DecoderConfig c;
  ByteReader r(record);
  uint8_t version = 0;
  if (!r.ReadU8(&version)) return Truncated("hvcC header", r);
  if (version != 1) {
    return InvalidArgumentError("hvcC: configurationVersion " + std::to_string(version) +
                                " at byte 0, expected 1");
  }
  uint8_t len_byte = 0, num_arrays = 0;
  if (!r.Skip(20) || !r.ReadU8(&len_byte) || !r.ReadU8(&num_arrays)) {
    return Truncated("hvcC header", r);
  }
  ASSIGN_OR_RETURN(c.length_size, LengthSize("hvcC", len_byte, 21));
  for (int a = 0; a < num_arrays; ++a) {
    uint8_t type_byte = 0;
    uint16_t num_nalus = 0;
    if (!r.ReadU8(&type_byte) || !r.ReadBe16(&num_nalus)) return Truncated("hvcC array", r);
    const int type = type_byte & 0x3f;
    std::vector<Bytes>* dest = type == media::kH265NalVps   ? &c.vps
                               : type == media::kH265NalSps ? &c.sps
                               : type == media::kH265NalPps ? &c.pps
                                                            : nullptr;
    std::vector<Bytes> ignored;
    RETURN_IF_ERROR(ReadNalUnits("hvcC NAL unit", r, num_nalus, dest ? *dest : ignored));
  }
  return c;
}

}  // namespace

Result<DecoderConfig> ParseDecoderConfig(media::Codec codec, ByteSpan record) {
  return codec == media::Codec::kH264 ? ParseAvcC(record) : ParseHvcC(record);
}

}  // namespace sightline::camsim
