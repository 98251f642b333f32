#pragma once
// Byte-level helpers for parsers of untrusted input: big-endian loads/stores and a bounds-checked
// reader that never reads past its span (it reports failure instead).

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace sightline {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t LoadBe24(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 16 | static_cast<uint32_t>(p[1]) << 8 | p[2];
}
inline uint32_t LoadBe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
inline uint64_t LoadBe64(const uint8_t* p) {
  return static_cast<uint64_t>(LoadBe32(p)) << 32 | LoadBe32(p + 4);
}
inline void StoreBe16(uint8_t* p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = v >> 24; p[1] = (v >> 16) & 0xff; p[2] = (v >> 8) & 0xff; p[3] = v & 0xff;
}
inline void AppendBe16(Bytes& out, uint16_t v) { out.push_back(v >> 8); out.push_back(v & 0xff); }
inline void AppendBe32(Bytes& out, uint32_t v) {
  const size_t n = out.size();
  out.resize(n + 4);
  StoreBe32(out.data() + n, v);
}
inline void AppendBytes(Bytes& out, ByteSpan s) { out.insert(out.end(), s.begin(), s.end()); }

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteSpan s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

// Reads big-endian fields from a span. Every read checks bounds; after a failed read ok()
// is false and all further reads fail too.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool ReadU8(uint8_t* v) { return Read(1) && (*v = data_[pos_ - 1], true); }
  bool ReadBe16(uint16_t* v) { return Read(2) && (*v = LoadBe16(&data_[pos_ - 2]), true); }
  bool ReadBe32(uint32_t* v) { return Read(4) && (*v = LoadBe32(&data_[pos_ - 4]), true); }
  bool ReadSpan(size_t n, ByteSpan* v) {
    if (!Read(n)) return false;
    *v = data_.subspan(pos_ - n, n);
    return true;
  }
  bool Skip(size_t n) { return Read(n); }
  ByteSpan Rest() const { return data_.subspan(pos_); }

 private:
  bool Read(size_t n) {
    if (!ok_ || n > remaining()) return ok_ = false;
    pos_ += n;
    return true;
  }
  ByteSpan data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace sightline
