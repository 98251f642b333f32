// Fuzzes NAL unit framing: Annex B splitting, length-prefixed splitting, emulation prevention
// and access-unit assembly, plus the bit reader on raw bytes. Checks:
//   - SplitAnnexB spans lie inside the input, in order, without overlap, are non-empty, never
//     end in 0x00 and never hold a start code;
//   - SplitLengthPrefixed spans lie inside the input and, re-framed, give the input back;
//   - EbspToRbsp(RbspToEbsp(x)) == x, and RbspToEbsp output holds no start-code prefix;
//   - access units hold at least one VCL NAL unit, split back into the NAL units SplitAnnexB
//     found (in order, dropping only non-VCL units at the end), and are keyframes exactly when
//     they hold an IDR / IRAP NAL unit;
//   - the bit reader never moves past the end.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/access_unit.h"
#include "media/bit_reader.h"
#include "media/nal.h"

namespace {

using namespace sightline;
using namespace sightline::media;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool Inside(ByteSpan inner, ByteSpan outer) {
  return inner.data() >= outer.data() &&
         inner.data() + inner.size() <= outer.data() + outer.size();
}

bool HasStartCodePrefix(ByteSpan s) {
  for (size_t i = 2; i < s.size(); ++i) {
    if (s[i - 2] == 0 && s[i - 1] == 0 && s[i] <= 1) return true;
  }
  return false;
}

void CheckAccessUnits(Codec codec, ByteSpan input, const std::vector<ByteSpan>& nals) {
  const std::vector<AnnexBAccessUnit> units = SplitAnnexBAccessUnits(codec, input);
  size_t next = 0;
  for (const AnnexBAccessUnit& unit : units) {
    Result<std::vector<ByteSpan>> unit_nals = SplitLengthPrefixed(unit.data);
    Check(unit_nals.ok() && !unit_nals->empty());
    bool has_vcl = false;
    bool keyframe = false;
    for (ByteSpan nal : *unit_nals) {
      Check(next < nals.size());
      const ByteSpan want = nals[next++];
      Check(nal.size() == want.size() && std::equal(nal.begin(), nal.end(), want.begin()));
      has_vcl |= ClassifyNal(codec, nal) == NalRole::kVcl;
      keyframe |= IsKeyframeNal(codec, nal);
    }
    Check(has_vcl);
    Check(keyframe == unit.keyframe);
  }
  for (; next < nals.size(); ++next) Check(ClassifyNal(codec, nals[next]) != NalRole::kVcl);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input(data, size);

  const std::vector<ByteSpan> nals = SplitAnnexB(input);
  const uint8_t* end_of_last = data;
  for (ByteSpan nal : nals) {
    Check(!nal.empty() && Inside(nal, input));
    Check(nal.data() >= end_of_last + 3);  // a start code precedes every unit
    Check(nal.back() != 0);
    for (size_t i = 2; i < nal.size(); ++i) {
      Check(!(nal[i - 2] == 0 && nal[i - 1] == 0 && nal[i] == 1));
    }
    end_of_last = nal.data() + nal.size();
    (void)IsFirstSliceOfPicture(Codec::kH264, nal);
    (void)StartsAccessUnit(Codec::kH265, nal);
  }
  CheckAccessUnits(Codec::kH264, input, nals);
  CheckAccessUnits(Codec::kH265, input, nals);

  for (int length_size : {1, 2, 4}) {
    Result<std::vector<ByteSpan>> split = SplitLengthPrefixed(input, length_size);
    if (!split.ok()) continue;
    Bytes rebuilt;
    for (ByteSpan nal : *split) {
      Check(!nal.empty() && Inside(nal, input));
      for (int k = length_size - 1; k >= 0; --k) {
        rebuilt.push_back(static_cast<uint8_t>(nal.size() >> (8 * k)));
      }
      AppendBytes(rebuilt, nal);
    }
    Check(rebuilt.size() == size && std::equal(rebuilt.begin(), rebuilt.end(), data));
  }

  const Bytes rbsp = EbspToRbsp(input);
  Check(rbsp.size() <= size);
  const Bytes ebsp = RbspToEbsp(input);
  Check(!HasStartCodePrefix(ebsp));
  Check(EbspToRbsp(ebsp) == Bytes(input.begin(), input.end()));

  BitReader reader(input);
  for (int i = 0; reader.ok() && i < 4096; ++i) {
    uint32_t u = 0;
    int32_t s = 0;
    const bool ok = (i % 3 == 0) ? reader.ReadUe(&u)
                    : (i % 3 == 1) ? reader.ReadSe(&s)
                                   : reader.ReadBits(static_cast<int>(i % 33), &u);
    Check(ok == reader.ok());
    Check(reader.bit_position() <= size * 8);
  }
  return 0;
}
