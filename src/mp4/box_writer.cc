#include "mp4/box_writer.h"

#include <cassert>
#include <limits>

#include "mp4/fourcc.h"

namespace sightline::mp4 {

void BoxWriter::Open(const char (&type)[5]) {
  open_.push_back(out_.size());
  U32(0);  // size, patched by Close
  Code(type);
}

BoxWriter::Scope BoxWriter::Box(const char (&type)[5]) {
  Open(type);
  return Scope(this);
}

BoxWriter::Scope BoxWriter::FullBox(const char (&type)[5], uint8_t version, uint32_t flags) {
  Open(type);
  U8(version);
  U24(flags);
  return Scope(this);
}

void BoxWriter::U24(uint32_t v) {
  U8(static_cast<uint8_t>(v >> 16));
  U16(static_cast<uint16_t>(v));
}

void BoxWriter::U64(uint64_t v) {
  U32(static_cast<uint32_t>(v >> 32));
  U32(static_cast<uint32_t>(v));
}

void BoxWriter::Code(const char (&code)[5]) { U32(FourCc(code)); }

void BoxWriter::PatchU64(size_t position, uint64_t v) {
  PatchU32(position, static_cast<uint32_t>(v >> 32));
  PatchU32(position + 4, static_cast<uint32_t>(v));
}

Bytes BoxWriter::Take() && {
  assert(open_.empty());
  return std::move(out_);
}

void BoxWriter::Close() {
  assert(!open_.empty());
  const size_t start = open_.back();
  open_.pop_back();
  const size_t size = out_.size() - start;
  assert(size <= std::numeric_limits<uint32_t>::max());
  PatchU32(start, static_cast<uint32_t>(size));
}

void AppendMdatHeader(uint64_t payload_bytes, Bytes& out) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  if (payload_bytes + 8 <= kMax32) {
    AppendBe32(out, static_cast<uint32_t>(payload_bytes + 8));
    AppendBe32(out, FourCc("mdat"));
    return;
  }
  AppendBe32(out, 1);  // size 1: the 64-bit largesize follows the type
  AppendBe32(out, FourCc("mdat"));
  const uint64_t size = payload_bytes + 16;
  AppendBe32(out, static_cast<uint32_t>(size >> 32));
  AppendBe32(out, static_cast<uint32_t>(size));
}

}  // namespace sightline::mp4
