#pragma once
// BoxWriter builds nested ISO BMFF boxes (ISO/IEC 14496-12 4.2) in one buffer: opening a box
// writes its header with a placeholder size, closing it back-patches the size, so writers
// emit fields in file order without computing sizes up front:
//
//   BoxWriter w;
//   {
//     BoxWriter::Scope moov = w.Box("moov");
//     { BoxWriter::Scope mvhd = w.FullBox("mvhd", 0, 0); w.U32(...); }
//   }
//   Bytes bytes = std::move(w).Take();
//
// Boxes built here stay far below 4 GiB (headers and tables), so every size is 32-bit; the
// one box that can be larger, mdat, is written by AppendMdatHeader. One owner; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/bytes.h"

namespace sightline::mp4 {

class BoxWriter {
 public:
  // Closes its box when it goes out of scope. Scopes must end in reverse order of opening,
  // which C++ block scope guarantees.
  class [[nodiscard]] Scope {
   public:
    explicit Scope(BoxWriter* w) : w_(w) {}
    ~Scope() { w_->Close(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    BoxWriter* w_;
  };

  // `type` is the four-character box type, e.g. "moov".
  Scope Box(const char (&type)[5]);
  // A FullBox (14496-12 4.2.2): the header, then version and 24-bit flags.
  Scope FullBox(const char (&type)[5], uint8_t version, uint32_t flags);

  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { AppendBe16(out_, v); }
  void U24(uint32_t v);
  void U32(uint32_t v) { AppendBe32(out_, v); }
  void U64(uint64_t v);
  void Code(const char (&code)[5]);  // a four-character code: brand, handler type
  void Zeros(size_t n) { out_.resize(out_.size() + n, 0); }
  void Append(ByteSpan data) { AppendBytes(out_, data); }

  // Bytes written so far; a field's position for PatchU32.
  size_t size() const { return out_.size(); }
  void PatchU32(size_t position, uint32_t v) { StoreBe32(out_.data() + position, v); }
  void PatchU64(size_t position, uint64_t v);

  // The finished bytes. Every Scope must have ended.
  Bytes Take() &&;

 private:
  void Open(const char (&type)[5]);
  void Close();

  Bytes out_;
  std::vector<size_t> open_;  // start offsets of the boxes not yet closed
};

// Appends an mdat header (14496-12 8.1.1) for `payload_bytes` of data: 8 bytes, or 16 with the
// 64-bit largesize when the box would not fit a 32-bit size.
void AppendMdatHeader(uint64_t payload_bytes, Bytes& out);

}  // namespace sightline::mp4
