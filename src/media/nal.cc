#include "media/nal.h"

#include <string>

namespace sightline::media {

int H264NalType(uint8_t header_byte) { return header_byte & 0x1f; }

int H265NalType(uint8_t header_byte) { return (header_byte >> 1) & 0x3f; }

bool IsKeyframeNal(Codec codec, ByteSpan nal) {
  if (nal.empty()) return false;
  if (codec == Codec::kH264) return H264NalType(nal[0]) == kH264NalIdr;
  const int type = H265NalType(nal[0]);
  return type >= kH265NalIrapFirst && type <= kH265NalIrapLast;
}

NalRole ClassifyNal(Codec codec, ByteSpan nal) {
  if (nal.empty()) return NalRole::kOther;
  if (codec == Codec::kH264) {
    const int type = H264NalType(nal[0]);
    if (type >= kH264NalSlice && type <= kH264NalIdr) return NalRole::kVcl;
    switch (type) {
      case kH264NalSps: return NalRole::kSps;
      case kH264NalPps: return NalRole::kPps;
      case kH264NalAud: return NalRole::kAud;
      case kH264NalSei: return NalRole::kSei;
      default: return NalRole::kOther;
    }
  }
  const int type = H265NalType(nal[0]);
  if (type <= kH265NalVclLast) return NalRole::kVcl;
  switch (type) {
    case kH265NalVps: return NalRole::kVps;
    case kH265NalSps: return NalRole::kSps;
    case kH265NalPps: return NalRole::kPps;
    case kH265NalAud: return NalRole::kAud;
    case kH265NalPrefixSei:
    case kH265NalSuffixSei: return NalRole::kSei;
    default: return NalRole::kOther;
  }
}

std::vector<ByteSpan> SplitAnnexB(ByteSpan stream) {
  std::vector<ByteSpan> out;
  const uint8_t* p = stream.data();
  const size_t n = stream.size();
  auto emit = [&](size_t begin, size_t end) {
    while (end > begin && p[end - 1] == 0) --end;
    if (end > begin) out.push_back(stream.subspan(begin, end - begin));
  };
  bool in_nal = false;
  size_t nal_begin = 0;
  size_t i = 0;
  while (i + 3 <= n) {
    // p[i + 2] > 1 rules out a start code beginning at i, i + 1 or i + 2.
    if (p[i + 2] > 1) {
      i += 3;
    } else if (p[i + 2] == 1 && p[i + 1] == 0 && p[i] == 0) {
      if (in_nal) emit(nal_begin, i);
      in_nal = true;
      nal_begin = i + 3;
      i += 3;
    } else {
      ++i;
    }
  }
  if (in_nal) emit(nal_begin, n);
  return out;
}

Result<std::vector<ByteSpan>> SplitLengthPrefixed(ByteSpan data, int length_size) {
  if (length_size != 1 && length_size != 2 && length_size != 4) {
    return InvalidArgumentError("length-prefixed NAL units: unsupported length size " +
                                std::to_string(length_size));
  }
  const size_t size_bytes = static_cast<size_t>(length_size);
  std::vector<ByteSpan> out;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t left = data.size() - pos;
    if (left < size_bytes) {
      return InvalidArgumentError("length-prefixed NAL unit at offset " + std::to_string(pos) +
                                  ": truncated " + std::to_string(length_size) +
                                  "-byte length field (" + std::to_string(left) + " bytes left)");
    }
    size_t length = 0;
    for (size_t k = 0; k < size_bytes; ++k) length = length << 8 | data[pos + k];
    if (length == 0) {
      return InvalidArgumentError("length-prefixed NAL unit at offset " + std::to_string(pos) +
                                  ": zero length");
    }
    if (length > left - size_bytes) {
      return InvalidArgumentError("length-prefixed NAL unit at offset " + std::to_string(pos) +
                                  ": length " + std::to_string(length) + " overruns the " +
                                  std::to_string(left - size_bytes) + " bytes left");
    }
    out.push_back(data.subspan(pos + size_bytes, length));
    pos += size_bytes + length;
  }
  return out;
}

void AppendLengthPrefixed(ByteSpan nal, Bytes& out) {
  AppendBe32(out, static_cast<uint32_t>(nal.size()));
  AppendBytes(out, nal);
}

Bytes EbspToRbsp(ByteSpan ebsp) {
  Bytes out;
  out.reserve(ebsp.size());
  int zeros = 0;
  for (uint8_t b : ebsp) {
    if (zeros >= 2 && b == 0x03) {
      zeros = 0;
      continue;
    }
    zeros = b == 0 ? zeros + 1 : 0;
    out.push_back(b);
  }
  return out;
}

Bytes RbspToEbsp(ByteSpan rbsp) {
  Bytes out;
  out.reserve(rbsp.size() + rbsp.size() / 64 + 1);
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 0x03) {
      out.push_back(0x03);
      zeros = 0;
    }
    zeros = b == 0 ? zeros + 1 : 0;
    out.push_back(b);
  }
  if (zeros >= 2) out.push_back(0x03);
  return out;
}

}  // namespace sightline::media
