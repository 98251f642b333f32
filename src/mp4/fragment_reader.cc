// ScanFragments and ParseFragmentSamples (fragment.h). The reader accepts exactly the layout
// in fragment_format.h and checks every size against the bytes it has before using it, since
// it reads files that a crash may have cut short or a disk may have damaged.

#include <cstdio>
#include <limits>
#include <string>

#include "base/crc32c.h"
#include "mp4/box_reader.h"
#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/fragment_format.h"
#include "mp4/mp4_time.h"

namespace sightline::mp4 {
namespace {

constexpr uint64_t kMaxDecodeTime = std::numeric_limits<int64_t>::max();

std::string Hex32(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

// A fragment whose boxes are all present and consistent.
struct ParsedFragment {
  FragmentInfo info;
  ByteSpan trun_samples;  // sample_count entries of kTrunSampleBytes
};

// The top-level box of `expected` type at data[position]. A box that runs past the end of the
// data is reported as OutOfRange (a torn write); everything else as InvalidArgument.
Result<Box> ReadTopBox(ByteSpan data, size_t position, uint64_t offset, const char (&expected)[5]) {
  const ByteSpan rest = data.subspan(position);
  const std::string where =
      "expected " + std::string(expected) + " at offset " + std::to_string(offset + position);
  if (rest.size() < 8) {
    return OutOfRangeError(where + ", " + std::to_string(rest.size()) + " bytes remain");
  }
  // The type before the size, so garbage is reported as such rather than as a box too large
  // to fit.
  if (LoadBe32(rest.data() + 4) != FourCc(expected)) {
    return InvalidArgumentError(where + ", found " + FourCcName(LoadBe32(rest.data() + 4)));
  }
  return ReadBox(rest, offset + position);
}

Status Malformed(const Box& box, const std::string& what) {
  return InvalidArgumentError(Describe(box) + ": " + what);
}

Status ParsePrft(const Box& prft, uint64_t* ntp, uint64_t* media_time) {
  ByteReader r(prft.payload);
  FullBoxHeader h;
  uint32_t track = 0;
  if (!ReadFullBoxHeader(r, &h) || h.version != 1 || !r.ReadBe32(&track) || !ReadBe64(r, ntp) ||
      !ReadBe64(r, media_time) || r.remaining() != 0) {
    return Malformed(prft, "not a " + std::to_string(kPrftBytes) + "-byte version 1 prft");
  }
  if (track != kTrackId) return Malformed(prft, "reference_track_ID " + std::to_string(track));
  return Status::Ok();
}

Status ParseMfhd(const Box& mfhd, FragmentInfo* info) {
  ByteReader r(mfhd.payload);
  FullBoxHeader h;
  if (!ReadFullBoxHeader(r, &h) || !r.ReadBe32(&info->sequence) || r.remaining() != 0) {
    return Malformed(mfhd, "not a 16-byte mfhd");
  }
  return Status::Ok();
}

Status ParseTfhd(const Box& tfhd) {
  ByteReader r(tfhd.payload);
  FullBoxHeader h;
  uint32_t track = 0;
  if (!ReadFullBoxHeader(r, &h) || !r.ReadBe32(&track) || r.remaining() != 0) {
    return Malformed(tfhd, "not a 16-byte tfhd");
  }
  if (h.flags != kTfhdFlags) return Malformed(tfhd, "flags " + Hex32(h.flags));
  if (track != kTrackId) return Malformed(tfhd, "track_ID " + std::to_string(track));
  return Status::Ok();
}

Status ParseTfdt(const Box& tfdt, uint64_t* base_decode_time) {
  ByteReader r(tfdt.payload);
  FullBoxHeader h;
  if (!ReadFullBoxHeader(r, &h) || h.version != 1 || !ReadBe64(r, base_decode_time) ||
      r.remaining() != 0) {
    return Malformed(tfdt, "not a 20-byte version 1 tfdt");
  }
  if (*base_decode_time > kMaxDecodeTime) {
    return Malformed(tfdt, "baseMediaDecodeTime " + std::to_string(*base_decode_time));
  }
  return Status::Ok();
}

Status ParseTrun(const Box& trun, int32_t* data_offset, ParsedFragment* f) {
  ByteReader r(trun.payload);
  FullBoxHeader h;
  uint32_t count = 0, offset_field = 0;
  if (!ReadFullBoxHeader(r, &h) || !r.ReadBe32(&count) || !r.ReadBe32(&offset_field)) {
    return Malformed(trun, "shorter than its header");
  }
  if (h.version != 0 || h.flags != kTrunFlags) {
    return Malformed(trun, "version " + std::to_string(h.version) + " flags " + Hex32(h.flags) +
                               " is not Sightline's layout");
  }
  if (count > kMaxSamplesPerFragment || uint64_t{count} * kTrunSampleBytes != r.remaining()) {
    return Malformed(trun, "sample_count " + std::to_string(count) + " does not match its " +
                               std::to_string(r.remaining()) + " bytes of samples");
  }
  *data_offset = static_cast<int32_t>(offset_field);
  f->info.sample_count = count;
  f->trun_samples = r.Rest();
  return Status::Ok();
}

Status ParseTraf(const Box& traf, uint64_t* base_decode_time, int32_t* data_offset,
                 ParsedFragment* f) {
  bool tfhd = false, tfdt = false, trun = false;
  BoxIterator children(traf);
  while (!children.done()) {
    ASSIGN_OR_RETURN(Box child, children.Next());
    if (child.type == FourCc("tfhd") && !tfhd) {
      tfhd = true;
      RETURN_IF_ERROR(ParseTfhd(child));
    } else if (child.type == FourCc("tfdt") && !tfdt) {
      tfdt = true;
      RETURN_IF_ERROR(ParseTfdt(child, base_decode_time));
    } else if (child.type == FourCc("trun") && !trun) {
      trun = true;
      RETURN_IF_ERROR(ParseTrun(child, data_offset, f));
    } else {
      return Malformed(child, "unexpected in traf");
    }
  }
  if (!tfhd || !tfdt || !trun) return Malformed(traf, "needs tfhd, tfdt and trun");
  return Status::Ok();
}

Status ParseMoof(const Box& moof, uint64_t* base_decode_time, int32_t* data_offset,
                 ParsedFragment* f) {
  bool mfhd = false, traf = false;
  BoxIterator children(moof);
  while (!children.done()) {
    ASSIGN_OR_RETURN(Box child, children.Next());
    if (child.type == FourCc("mfhd") && !mfhd) {
      mfhd = true;
      RETURN_IF_ERROR(ParseMfhd(child, &f->info));
    } else if (child.type == FourCc("traf") && !traf) {
      traf = true;
      RETURN_IF_ERROR(ParseTraf(child, base_decode_time, data_offset, f));
    } else {
      return Malformed(child, "unexpected in moof");
    }
  }
  if (!mfhd || !traf) return Malformed(moof, "needs mfhd and traf");
  return Status::Ok();
}

Status ParseIntegrityBox(const Box& free, uint32_t* crc) {
  ByteReader r(free.payload);
  uint32_t magic = 0, version_flags = 0;
  if (!r.ReadBe32(&magic) || !r.ReadBe32(&version_flags) || !r.ReadBe32(crc) ||
      r.remaining() != 0 || magic != FourCc(kIntegrityMagic) || version_flags != 0) {
    return Malformed(free,
                     "not a " + std::to_string(kIntegrityBoxBytes) + "-byte slck integrity box");
  }
  return Status::Ok();
}

// Parses the fragment at the start of `data`, which is at file offset `offset`, up to the end
// of its boxes; `data` may continue with further fragments.
Status ParseFragmentBoxes(ByteSpan data, uint64_t offset, bool check_crc, ParsedFragment* f) {
  // All four boxes first: a torn write is told apart from damage before looking inside.
  ASSIGN_OR_RETURN(Box prft, ReadTopBox(data, 0, offset, "prft"));
  size_t position = prft.bytes.size();
  ASSIGN_OR_RETURN(Box moof, ReadTopBox(data, position, offset, "moof"));
  position += moof.bytes.size();
  ASSIGN_OR_RETURN(Box mdat, ReadTopBox(data, position, offset, "mdat"));
  position += mdat.bytes.size();
  ASSIGN_OR_RETURN(Box free, ReadTopBox(data, position, offset, "free"));
  const size_t crc_bytes = position;
  position += free.bytes.size();

  uint64_t ntp = 0, prft_media_time = 0, base_decode_time = 0;
  int32_t data_offset = 0;
  uint32_t stored_crc = 0;
  RETURN_IF_ERROR(ParsePrft(prft, &ntp, &prft_media_time));
  RETURN_IF_ERROR(ParseMoof(moof, &base_decode_time, &data_offset, f));
  RETURN_IF_ERROR(ParseIntegrityBox(free, &stored_crc));
  if (prft_media_time != base_decode_time) {
    return Malformed(prft, "media_time " + std::to_string(prft_media_time) + " differs from tfdt " +
                               std::to_string(base_decode_time));
  }
  const int64_t payload_from_moof = static_cast<int64_t>(mdat.payload_offset() - moof.offset);
  if (data_offset != payload_from_moof) {
    return Malformed(moof, "trun data_offset " + std::to_string(data_offset) +
                               " does not point at the mdat payload, " +
                               std::to_string(payload_from_moof) + " bytes on");
  }
  uint64_t total_size = 0, total_duration = 0;
  const ByteSpan s = f->trun_samples;
  for (size_t i = 0; i < s.size(); i += kTrunSampleBytes) {
    total_duration += LoadBe32(&s[i]);
    total_size += LoadBe32(&s[i + 4]);
  }
  if (total_size != mdat.payload.size()) {
    return Malformed(mdat, "payload of " + std::to_string(mdat.payload.size()) +
                               " bytes, trun sample sizes add up to " + std::to_string(total_size));
  }
  if (total_duration > kMaxDecodeTime - base_decode_time) {
    return Malformed(moof, "decode times overflow");
  }
  if (check_crc) {
    const uint32_t crc = Crc32c(data.first(crc_bytes));
    if (crc != stored_crc) {
      return DataLossError("CRC32C mismatch over prft..mdat: stored " + Hex32(stored_crc) +
                           ", computed " + Hex32(crc));
    }
  }
  FragmentInfo& info = f->info;
  info.offset = offset;
  info.length = position;
  info.base_decode_time_90k = static_cast<int64_t>(base_decode_time);
  info.duration_90k = static_cast<int64_t>(total_duration);
  info.wall_time_us = NtpToUnixMicros(ntp);
  info.starts_with_keyframe = !s.empty() && IsKeyframe(LoadBe32(&s[kTrunSampleBytes - 4]));
  info.mdat_offset = mdat.payload_offset();
  return Status::Ok();
}

// Every problem is data loss to the store; a box cut off by the end of the bytes is the torn
// tail a crash leaves, and says so.
Status FragmentError(const Status& s, uint64_t offset) {
  const std::string where = "fragment at offset " + std::to_string(offset) + ": ";
  return DataLossError((s.code() == StatusCode::kOutOfRange ? "torn " : "") + where + s.message());
}

}  // namespace

ScanResult ScanFragments(ByteSpan bytes, uint64_t offset, bool check_crc) {
  ScanResult result;
  size_t position = 0;
  while (position < bytes.size()) {
    ParsedFragment f;
    const Status s = ParseFragmentBoxes(bytes.subspan(position), offset + position, check_crc, &f);
    if (!s.ok()) {
      result.stopped = FragmentError(s, offset + position);
      break;
    }
    position += f.info.length;
    result.fragments.push_back(f.info);
  }
  result.valid_end = offset + position;
  return result;
}

Result<std::vector<SampleInfo>> ParseFragmentSamples(ByteSpan bytes, uint64_t offset) {
  ParsedFragment f;
  const Status s = ParseFragmentBoxes(bytes, offset, /*check_crc=*/false, &f);
  if (!s.ok()) return FragmentError(s, offset);
  if (f.info.length != bytes.size()) {
    return InvalidArgumentError("fragment at offset " + std::to_string(offset) + ": " +
                                std::to_string(bytes.size() - f.info.length) +
                                " bytes follow its integrity box");
  }
  std::vector<SampleInfo> samples(f.info.sample_count);
  uint64_t sample_offset = f.info.mdat_offset;
  int64_t decode_time = f.info.base_decode_time_90k;
  for (size_t i = 0; i < samples.size(); ++i) {
    const uint8_t* entry = &f.trun_samples[i * kTrunSampleBytes];
    SampleInfo& sample = samples[i];
    sample.offset = sample_offset;
    sample.duration_90k = LoadBe32(entry);
    sample.size = LoadBe32(entry + 4);
    sample.keyframe = IsKeyframe(LoadBe32(entry + 8));
    sample.decode_time_90k = decode_time;
    sample_offset += sample.size;
    decode_time += sample.duration_90k;
  }
  return samples;
}

}  // namespace sightline::mp4
