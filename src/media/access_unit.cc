#include "media/access_unit.h"

#include "media/nal.h"

namespace sightline::media {

bool IsFirstSliceOfPicture(Codec codec, ByteSpan nal) {
  if (codec == Codec::kH264) {
    // first_mb_in_slice is the slice header's first ue(v), and ue(v) codes 0 as a single one
    // bit. The byte after the header cannot be an emulation prevention byte: the header
    // byte of a slice is never zero.
    if (nal.size() < 2) return false;
    const int type = H264NalType(nal[0]);
    if (type != kH264NalSlice && type != kH264NalSliceDataA && type != kH264NalIdr) return false;
    return (nal[1] & 0x80) != 0;
  }
  // first_slice_segment_in_pic_flag is the first bit after the 2-byte header, whose second
  // byte (nuh_temporal_id_plus1 >= 1) is never zero, so no emulation prevention byte intervenes.
  if (nal.size() < 3 || H265NalType(nal[0]) > kH265NalVclLast) return false;
  return (nal[2] & 0x80) != 0;
}

bool StartsAccessUnit(Codec codec, ByteSpan nal) {
  if (nal.empty()) return false;
  if (codec == Codec::kH264) {
    const int type = H264NalType(nal[0]);
    switch (type) {
      case kH264NalSei:
      case kH264NalSps:
      case kH264NalPps:
      case kH264NalAud:
        return true;
      default:
        // 14..18: prefix NAL unit, subset SPS, depth parameter set and reserved types.
        if (type >= 14 && type <= 18) return true;
        return IsFirstSliceOfPicture(codec, nal);
    }
  }
  const int type = H265NalType(nal[0]);
  switch (type) {
    case kH265NalVps:
    case kH265NalSps:
    case kH265NalPps:
    case kH265NalAud:
    case kH265NalPrefixSei:
      return true;
    default:
      // 41..44 and 48..55: reserved and unspecified types the clause places first.
      if ((type >= 41 && type <= 44) || (type >= 48 && type <= 55)) return true;
      return IsFirstSliceOfPicture(codec, nal);
  }
}

std::vector<AnnexBAccessUnit> SplitAnnexBAccessUnits(Codec codec, ByteSpan stream) {
  std::vector<AnnexBAccessUnit> units;
  AnnexBAccessUnit current;
  bool has_vcl = false;
  for (ByteSpan nal : SplitAnnexB(stream)) {
    if (has_vcl && StartsAccessUnit(codec, nal)) {
      units.push_back(std::move(current));
      current = AnnexBAccessUnit();
      has_vcl = false;
    }
    AppendLengthPrefixed(nal, current.data);
    if (IsKeyframeNal(codec, nal)) current.keyframe = true;
    if (ClassifyNal(codec, nal) == NalRole::kVcl) has_vcl = true;
  }
  if (has_vcl) units.push_back(std::move(current));
  return units;
}

}  // namespace sightline::media
