#pragma once
// Bounds-checked reading of ISO BMFF box headers (ISO/IEC 14496-12 4.2): 32-bit sizes, the
// 64-bit largesize (size 1) and size 0 ("extends to the end"). A box is never allowed past the
// bytes it is read from, so callers can parse its payload without further size checks.
// Spans returned point into the caller's bytes and live as long as they do. Pure functions;
// safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::mp4 {

struct Box {
  uint32_t type = 0;
  uint64_t offset = 0;  // of the box's first byte, in the file
  ByteSpan bytes;       // the whole box, header included
  ByteSpan payload;     // everything after the header

  uint64_t payload_offset() const { return offset + (bytes.size() - payload.size()); }
};

// Reads the box at the start of `data`, found at file offset `offset`. OutOfRange when the
// header or the box runs past the end of `data` (a truncated box: nothing else is wrong with
// it as far as can be told); InvalidArgument when its size is smaller than its own header.
// Messages name the box type and offset.
Result<Box> ReadBox(ByteSpan data, uint64_t offset);

// The boxes of a file or of a container box's payload, in order.
class BoxIterator {
 public:
  BoxIterator(ByteSpan data, uint64_t offset) : data_(data), offset_(offset) {}
  explicit BoxIterator(const Box& parent) : BoxIterator(parent.payload, parent.payload_offset()) {}

  bool done() const { return position_ == data_.size(); }
  // The next box; after an error, stop iterating.
  Result<Box> Next();

 private:
  ByteSpan data_;
  uint64_t offset_;
  size_t position_ = 0;
};

// The first child box of `parent` with type `type`. NotFound when there is none. `path` names
// the parent in messages, e.g. "moov/trak/mdia: no minf box".
Result<Box> FindChild(const Box& parent, uint32_t type, std::string_view path);

// "moov at offset 1234", for messages.
std::string Describe(const Box& box);

// A FullBox's version and flags (14496-12 4.2.2), read from the start of its payload.
struct FullBoxHeader {
  uint8_t version = 0;
  uint32_t flags = 0;
};
bool ReadFullBoxHeader(ByteReader& r, FullBoxHeader* h);

// ByteReader has no 64-bit read; boxes need one.
bool ReadBe64(ByteReader& r, uint64_t* v);

}  // namespace sightline::mp4
