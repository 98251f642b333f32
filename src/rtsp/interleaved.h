#pragma once
// Splits the byte stream of an RTSP connection into RTSP messages and interleaved binary
// frames ('$', channel, 16-bit big-endian length, data: RFC 2326 section 10.12).
//
// Cameras send bytes that are neither (garbage after a reset, half-written frames): the
// splitter skips forward to the next '$' or "RTSP/" (or request line) and counts what it
// skipped, instead of failing the connection. Pure; not thread-safe.

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "rtsp/message.h"

namespace sightline::rtsp {

// Writes the 4-byte header of an interleaved frame carrying `size` bytes (at most 65535) on
// `channel` into `out`: '$', channel, 16-bit big-endian length.
inline constexpr size_t kInterleavedHeaderBytes = 4;
inline void WriteInterleavedHeader(uint8_t channel, size_t size, uint8_t* out) {
  out[0] = '$';
  out[1] = channel;
  StoreBe16(out + 2, static_cast<uint16_t>(size));
}

class StreamSplitter {
 public:
  struct Item {
    enum class Kind { kInterleaved, kMessage } kind = Kind::kInterleaved;
    uint8_t channel = 0;  // kInterleaved
    ByteSpan data;        // kInterleaved: valid until the next Next(), Append() or PrepareWrite()
    RtspMessage message;  // kMessage
  };

  // Space to read into: at least `min_bytes` writable bytes. After writing n bytes into it,
  // call Commit(n). Lets the socket read straight into the splitter's buffer. The buffer
  // settles at about twice the largest `min_bytes` asked for (plus any partial item); it is
  // compacted only when that costs no more than the bytes consumed since (amortised O(1)).
  std::span<uint8_t> PrepareWrite(size_t min_bytes);
  void Commit(size_t n);
  // Convenience for tests and fuzzing: copies bytes in.
  void Append(ByteSpan bytes);

  // The next complete item, nullopt when more bytes are needed, or an error when a message is
  // malformed beyond resynchronisation (e.g. headers over kMaxRtspHeaderBytes).
  Result<std::optional<Item>> Next();

  uint64_t skipped_bytes() const { return skipped_bytes_; }
  size_t buffered_bytes() const { return end_ - begin_; }

 private:
  enum class Start { kFrame, kMessage, kNeedMore, kGarbage };
  // Classifies the bytes at begin_ without consuming them.
  Start Classify();
  // Drops begin_ and the garbage after it, up to the next byte that may start an item.
  void SkipGarbage();

  Bytes buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t skipped_bytes_ = 0;
  // Request lines cannot start before this index (a line already checked and found not to be
  // one); keeps resynchronisation linear in the bytes skipped.
  size_t no_request_before_ = 0;
  // The byte before begin_ was skipped and could continue a method token, so begin_ is not a
  // token start. Kept as state because that byte may already have been discarded.
  bool mid_token_ = false;
};

}  // namespace sightline::rtsp
