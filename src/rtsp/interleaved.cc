#include "rtsp/interleaved.h"

#include <algorithm>
#include <cstring>

namespace sightline::rtsp {
namespace {

constexpr size_t kInitialCapacity = 4096;
// Longest method we recognise as the start of a request ("GET_PARAMETER" is 13).
constexpr size_t kMaxMethodBytes = 32;
// Longest request line we wait for before calling the bytes garbage.
constexpr size_t kMaxRequestLineBytes = 4096;
constexpr std::string_view kResponsePrefix = "RTSP/";

bool IsMethodChar(uint8_t c) { return (c >= 'A' && c <= 'Z') || c == '_' || c == '-'; }

}  // namespace

std::span<uint8_t> StreamSplitter::PrepareWrite(size_t min_bytes) {
  if (begin_ == end_) begin_ = end_ = no_request_before_ = 0;
  if (buf_.size() - end_ < min_bytes) {
    const size_t buffered = end_ - begin_;
    // Compacting moves `buffered` bytes; doing it only when at least as many bytes have been
    // consumed since keeps the cost amortised O(1) per byte.
    if (begin_ > 0 && begin_ >= buffered && buffered + min_bytes <= buf_.size()) {
      std::memmove(buf_.data(), buf_.data() + begin_, buffered);
      no_request_before_ = no_request_before_ > begin_ ? no_request_before_ - begin_ : 0;
      begin_ = 0;
      end_ = buffered;
    } else {
      buf_.resize(std::max({kInitialCapacity, 2 * buf_.size(), end_ + min_bytes}));
    }
  }
  return std::span<uint8_t>(buf_.data() + end_, buf_.size() - end_);
}

void StreamSplitter::Commit(size_t n) { end_ = std::min(end_ + n, buf_.size()); }

void StreamSplitter::Append(ByteSpan bytes) {
  if (bytes.empty()) return;
  std::span<uint8_t> dst = PrepareWrite(bytes.size());
  std::memcpy(dst.data(), bytes.data(), bytes.size());
  Commit(bytes.size());
}

StreamSplitter::Start StreamSplitter::Classify() {
  const uint8_t* p = buf_.data() + begin_;
  const size_t n = end_ - begin_;
  if (p[0] == '$') return Start::kFrame;
  // "RTSP/": a response (RFC 2326 section 7.1).
  const size_t cmp = std::min(n, kResponsePrefix.size());
  if (std::memcmp(p, kResponsePrefix.data(), cmp) == 0) {
    return cmp == kResponsePrefix.size() ? Start::kMessage : Start::kNeedMore;
  }
  // Method SP Request-URI SP "RTSP/1.0" (section 6.1): servers and, for keepalives or
  // ANNOUNCE, cameras send requests on the same connection as interleaved frames.
  if (mid_token_ || begin_ < no_request_before_ || !IsMethodChar(p[0])) return Start::kGarbage;
  size_t i = 0;
  while (i < n && i <= kMaxMethodBytes && IsMethodChar(p[i])) ++i;
  if (i > kMaxMethodBytes) return Start::kGarbage;
  if (i == n) return Start::kNeedMore;
  if (p[i] != ' ') return Start::kGarbage;
  const size_t limit = std::min(n, kMaxRequestLineBytes);
  const void* nl = std::memchr(p + i, '\n', limit - i);
  if (nl == nullptr) {
    if (n < kMaxRequestLineBytes) return Start::kNeedMore;
    no_request_before_ = begin_ + kMaxRequestLineBytes;
    return Start::kGarbage;
  }
  const size_t line_end = static_cast<const uint8_t*>(nl) - p;
  std::string_view line(reinterpret_cast<const char*>(p), line_end);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  const size_t last_space = line.find_last_of(" \t");
  if (last_space != std::string_view::npos && last_space > i &&
      line.substr(last_space + 1).starts_with(kResponsePrefix)) {
    return Start::kMessage;
  }
  // Every later start within this line shares its ending, so none can be a request either.
  no_request_before_ = begin_ + line_end;
  return Start::kGarbage;
}

void StreamSplitter::SkipGarbage() {
  size_t i = begin_ + 1;
  for (; i < end_; ++i) {
    const uint8_t c = buf_[i];
    if (c == '$' || c == 'R') break;
    // A request can only start where a method token starts.
    if (i >= no_request_before_ && IsMethodChar(c) && !IsMethodChar(buf_[i - 1])) break;
  }
  mid_token_ = IsMethodChar(buf_[i - 1]);
  skipped_bytes_ += i - begin_;
  begin_ = i;
}

Result<std::optional<StreamSplitter::Item>> StreamSplitter::Next() {
  while (begin_ < end_) {
    switch (Classify()) {
      case Start::kNeedMore:
        return std::optional<Item>();
      case Start::kGarbage:
        SkipGarbage();
        continue;
      case Start::kFrame: {
        // RFC 2326 section 10.12: '$', channel, 16-bit length, data. A garbage '$' announces
        // at most 65535 bytes, after which the stream resynchronises.
        if (end_ - begin_ < 4) return std::optional<Item>();
        const size_t len = LoadBe16(buf_.data() + begin_ + 2);
        if (end_ - begin_ < 4 + len) return std::optional<Item>();
        Item item;
        item.kind = Item::Kind::kInterleaved;
        item.channel = buf_[begin_ + 1];
        item.data = ByteSpan(buf_.data() + begin_ + 4, len);
        begin_ += 4 + len;
        mid_token_ = false;
        return std::optional<Item>(std::move(item));
      }
      case Start::kMessage: {
        Item item;
        item.kind = Item::Kind::kMessage;
        const std::string_view text(reinterpret_cast<const char*>(buf_.data() + begin_),
                                    end_ - begin_);
        Result<size_t> used = ParseRtspMessage(text, &item.message);
        if (!used.ok()) {
          if (used.status().code() == StatusCode::kResourceExhausted) {
            return std::move(used).status().WithContext("RTSP stream");
          }
          // Looked like a message but is not one: treat its first byte as garbage.
          mid_token_ = IsMethodChar(buf_[begin_]);
          skipped_bytes_ += 1;
          begin_ += 1;
          continue;
        }
        if (*used == 0) return std::optional<Item>();
        begin_ += *used;
        mid_token_ = false;
        return std::optional<Item>(std::move(item));
      }
    }
  }
  return std::optional<Item>();
}

}  // namespace sightline::rtsp
