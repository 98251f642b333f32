// Fuzzes the MP4 readers of the recording store (src/mp4/fragment.h): ScanFragments with and
// without CRC checks, ParseFragmentSamples and ParseInitSegment. The low bit of the first byte
// picks the input:
//   0: the rest as raw file bytes;
//   1: a valid init segment and two fragments built from the rest (sample sizes, durations and
//      keyframe flags taken from it), checked to round-trip, then damaged where the input says
//      (bit flips, a cut), so that mutations start deep inside the format without a corpus.
// Checks: no crash or sanitizer finding, and the invariants of a scan: contiguous fragments
// inside the input, valid_end right after the last, `stopped` OK exactly when the bytes end
// there, a CRC check only ever keeps fewer fragments, and every fragment found parses into
// samples that add up to it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "mp4/fragment.h"

namespace {

using namespace sightline;
using namespace sightline::mp4;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Everything but mdat_offset, which the builder below does not predict.
bool SameFragment(const FragmentInfo& a, const FragmentInfo& b) {
  return a.offset == b.offset && a.length == b.length && a.sequence == b.sequence &&
         a.base_decode_time_90k == b.base_decode_time_90k && a.duration_90k == b.duration_90k &&
         a.wall_time_us == b.wall_time_us && a.sample_count == b.sample_count &&
         a.starts_with_keyframe == b.starts_with_keyframe;
}

void CheckSamples(ByteSpan bytes, uint64_t offset, const FragmentInfo& f) {
  Result<std::vector<SampleInfo>> samples =
      ParseFragmentSamples(bytes.subspan(f.offset - offset, f.length), f.offset);
  Check(samples.ok() && samples->size() == f.sample_count);
  uint64_t next = f.mdat_offset;
  int64_t time = f.base_decode_time_90k;
  for (const SampleInfo& s : *samples) {
    Check(s.offset == next && s.decode_time_90k == time);
    next += s.size;
    time += s.duration_90k;
  }
  Check(next <= f.offset + f.length && time == f.base_decode_time_90k + f.duration_90k);
  if (!samples->empty()) Check(samples->front().keyframe == f.starts_with_keyframe);
}

// Scans `bytes` (at file offset `offset`) both ways and checks the results. Returns the scan
// with CRC checks.
ScanResult CheckScan(ByteSpan bytes, uint64_t offset) {
  const ScanResult full = ScanFragments(bytes, offset, true);
  const ScanResult fast = ScanFragments(bytes, offset, false);
  for (const ScanResult* scan : {&full, &fast}) {
    uint64_t end = offset;
    for (const FragmentInfo& f : scan->fragments) {
      Check(f.offset == end && f.length > 0);
      Check(f.mdat_offset > f.offset && f.mdat_offset <= f.offset + f.length);
      end += f.length;
      CheckSamples(bytes, offset, f);
    }
    Check(scan->valid_end == end && end <= offset + bytes.size());
    Check(scan->stopped.ok() == (end == offset + bytes.size()));
    if (!scan->stopped.ok()) {
      Check(scan->stopped.code() == StatusCode::kDataLoss && !scan->stopped.message().empty());
    }
  }
  Check(full.fragments.size() <= fast.fragments.size());
  for (size_t i = 0; i < full.fragments.size(); ++i) {
    Check(SameFragment(full.fragments[i], fast.fragments[i]) &&
          full.fragments[i].mdat_offset == fast.fragments[i].mdat_offset);
  }
  return full;
}

void CheckInit(ByteSpan bytes) {
  Result<InitInfo> init = ParseInitSegment(bytes);
  if (!init.ok()) {
    Check(!init.status().message().empty());
    return;
  }
  Check(init->length <= bytes.size() && !init->sps.empty());
  Check(init->width >= 0 && init->width <= 0xffff && init->height >= 0 && init->height <= 0xffff);
  CheckScan(bytes.subspan(init->length), init->length);
}

// An init segment and two fragments whose samples the input describes: 3 bytes per sample
// (size, duration, keyframe), sample bytes repeating the input.
Bytes BuildFile(ByteSpan in, bool h265, std::vector<FragmentInfo>* expected) {
  namespace td = media::testdata;
  auto params = h265 ? media::MakeStreamParams(media::Codec::kH265, td::kPetsH265Vps,
                                               td::kPetsH265Sps, td::kPetsH265Pps)
                     : media::MakeStreamParams(media::Codec::kH264, {}, td::kPets360pH264Sps,
                                               td::kPets360pH264Pps);
  Check(params.ok());
  Bytes file = WriteInitSegment(**params);
  const size_t init_length = file.size();
  std::vector<Bytes> data;
  std::vector<Sample> samples;
  for (size_t i = 0; i + 3 <= in.size() && samples.size() < 64; i += 3) {
    data.emplace_back(in[i], static_cast<uint8_t>(i));
    samples.push_back({{}, static_cast<uint32_t>(in[i + 1]) * 900, (in[i + 2] & 1) != 0});
  }
  for (size_t i = 0; i < samples.size(); ++i) samples[i].data = data[i];
  const std::span<const Sample> all(samples);
  const size_t half = samples.size() / 2;
  FragmentHeader header{1, 0, static_cast<int64_t>(in.size()) * 123456789};
  for (std::span<const Sample> part : {all.first(half), all.subspan(half)}) {
    FragmentInfo f;
    f.offset = file.size();
    f.sequence = header.sequence;
    f.base_decode_time_90k = header.base_decode_time_90k;
    f.wall_time_us = header.wall_time_us;
    f.sample_count = static_cast<uint32_t>(part.size());
    f.starts_with_keyframe = !part.empty() && part[0].keyframe;
    for (const Sample& s : part) f.duration_90k += s.duration_90k;
    AppendBytes(file, WriteFragment(header, part));
    f.length = file.size() - f.offset;
    expected->push_back(f);
    ++header.sequence;
    header.base_decode_time_90k += f.duration_90k;
    header.wall_time_us += 1000;
  }
  Result<InitInfo> init = ParseInitSegment(file);
  Check(init.ok() && init->length == init_length);
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ByteSpan in(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    CheckScan(in, data[0]);
    CheckInit(in);
    for (size_t start = 0; start < in.size() && start < 64; start += 8) {
      (void)ParseFragmentSamples(in.subspan(start), start);
    }
    return 0;
  }

  // The first 8 bytes of the rest steer the damage, the others describe the samples.
  const size_t control = in.size() < 8 ? in.size() : 8;
  std::vector<FragmentInfo> expected;
  Bytes file = BuildFile(in.subspan(control), (data[0] & 2) != 0, &expected);
  const uint64_t init_length = expected[0].offset;
  const ScanResult clean = CheckScan(ByteSpan(file).subspan(init_length), init_length);
  Check(clean.stopped.ok() && clean.fragments.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    Check(SameFragment(clean.fragments[i], expected[i]));
  }

  // Damage: up to three bit flips at input-chosen positions, then maybe a cut.
  for (size_t i = 0; i + 2 < control && i < 6; i += 2) {
    const size_t at = (static_cast<size_t>(in[i]) << 8 | in[i + 1]) % file.size();
    file[at] ^= static_cast<uint8_t>(1 << (in[i] & 7));
  }
  if (control == 8 && (in[6] & 1)) {
    file.resize((static_cast<size_t>(in[6]) << 8 | in[7]) % (file.size() + 1));
  }
  CheckInit(file);
  return 0;
}
