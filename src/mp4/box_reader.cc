#include "mp4/box_reader.h"

#include "mp4/fourcc.h"

namespace sightline::mp4 {

Result<Box> ReadBox(ByteSpan data, uint64_t offset) {
  if (data.size() < 8) {
    return OutOfRangeError("box header at offset " + std::to_string(offset) + ": needs 8 bytes, " +
                           std::to_string(data.size()) + " remain");
  }
  Box box;
  box.type = LoadBe32(data.data() + 4);
  box.offset = offset;
  uint64_t size = LoadBe32(data.data());
  size_t header_size = 8;
  if (size == 1) {
    header_size = 16;
    if (data.size() < header_size) {
      return OutOfRangeError(Describe(box) + ": 64-bit size needs 16 header bytes, " +
                             std::to_string(data.size()) + " remain");
    }
    size = LoadBe64(data.data() + 8);
  } else if (size == 0) {
    size = data.size();  // the box extends to the end of the enclosing data
  }
  if (size < header_size) {
    return InvalidArgumentError(Describe(box) + ": size " + std::to_string(size) +
                                " is smaller than its " + std::to_string(header_size) +
                                "-byte header");
  }
  if (size > data.size()) {
    return OutOfRangeError(Describe(box) + ": size " + std::to_string(size) + " exceeds the " +
                           std::to_string(data.size()) + " bytes remaining");
  }
  box.bytes = data.first(static_cast<size_t>(size));
  box.payload = box.bytes.subspan(header_size);
  return box;
}

Result<Box> BoxIterator::Next() {
  ASSIGN_OR_RETURN(Box box, ReadBox(data_.subspan(position_), offset_ + position_));
  position_ += box.bytes.size();
  return box;
}

Result<Box> FindChild(const Box& parent, uint32_t type, std::string_view path) {
  BoxIterator it(parent);
  while (!it.done()) {
    Result<Box> child = it.Next();
    if (!child.ok()) return std::move(child).status().WithContext(path);
    if (child->type == type) return child;
  }
  return NotFoundError(std::string(path) + ": no " + FourCcName(type) + " box");
}

std::string Describe(const Box& box) {
  return FourCcName(box.type) + " at offset " + std::to_string(box.offset);
}

bool ReadFullBoxHeader(ByteReader& r, FullBoxHeader* h) {
  uint32_t word = 0;
  if (!r.ReadBe32(&word)) return false;
  h->version = static_cast<uint8_t>(word >> 24);
  h->flags = word & 0xffffff;
  return true;
}

bool ReadBe64(ByteReader& r, uint64_t* v) {
  ByteSpan s;
  if (!r.ReadSpan(8, &s)) return false;
  *v = LoadBe64(s.data());
  return true;
}

}  // namespace sightline::mp4
