// Fuzzes the interleaved stream splitter. The first byte seeds the chunk sizes; the rest is
// the stream. Checks: frame spans have the announced size; the items, the skipped-byte count
// and any error are the same whether the stream arrives at once or in chunks (no decision
// depends on where reads happen to end).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "rtsp/interleaved.h"

namespace {

using sightline::rtsp::StreamSplitter;

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  std::vector<std::string> items;
  bool failed = false;
  uint64_t skipped = 0;
  size_t buffered = 0;
};

// Drains complete items; returns false once the splitter reports an error.
bool Drain(StreamSplitter& s, Outcome& out) {
  while (true) {
    auto r = s.Next();
    if (!r.ok()) {
      out.failed = true;
      return false;
    }
    if (!r->has_value()) return true;
    const StreamSplitter::Item& item = **r;
    if (item.kind == StreamSplitter::Item::Kind::kInterleaved) {
      Check(item.data.size() <= 65535);
      std::string d = "F" + std::to_string(item.channel) + ":";
      d.append(reinterpret_cast<const char*>(item.data.data()), item.data.size());
      out.items.push_back(std::move(d));
    } else {
      out.items.push_back("M" + item.message.Serialize());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t seed = data[0];
  const sightline::ByteSpan stream(data + 1, size - 1);

  Outcome whole;
  {
    StreamSplitter s;
    s.Append(stream);
    Drain(s, whole);
    whole.skipped = s.skipped_bytes();
    whole.buffered = s.buffered_bytes();
  }

  Outcome chunked;
  {
    StreamSplitter s;
    size_t pos = 0;
    unsigned step = seed;
    bool ok = true;
    while (ok && pos < stream.size()) {
      step = step * 1103515245u + 12345u;
      const size_t n = std::min<size_t>(stream.size() - pos, 1 + (step >> 16) % 97);
      // Alternate the two ways of feeding bytes in.
      if (step & 1) {
        s.Append(stream.subspan(pos, n));
      } else {
        std::span<uint8_t> w = s.PrepareWrite(n);
        Check(w.size() >= n);
        std::memcpy(w.data(), stream.data() + pos, n);
        s.Commit(n);
      }
      pos += n;
      ok = Drain(s, chunked);
    }
    chunked.skipped = s.skipped_bytes();
    chunked.buffered = s.buffered_bytes();
  }

  Check(whole.items == chunked.items);
  Check(whole.failed == chunked.failed);
  if (!whole.failed) {
    Check(whole.skipped == chunked.skipped);
    Check(whole.buffered == chunked.buffered);
  }
  return 0;
}
