#include "config/diagnostics.h"

#include <algorithm>

namespace sightline::config {

void Diagnostics::Add(Position pos, std::string message) {
  if (++count_ > kMaxKept) return;
  std::string escaped;
  escaped.reserve(std::min(message.size(), kMaxMessageBytes));
  for (char c : message) {
    if (escaped.size() >= kMaxMessageBytes) {
      escaped += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\t') {
      escaped += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      escaped.append("\\x").append(1, kHex[u >> 4]).append(1, kHex[u & 0xf]);
    } else {
      escaped += c;
    }
  }
  errors_.push_back({pos, std::move(escaped)});
}

Status Diagnostics::ToStatus() const {
  if (count_ == 0) return Status::Ok();
  std::vector<const Error*> sorted;
  sorted.reserve(errors_.size());
  for (const Error& e : errors_) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Error* a, const Error* b) {
    if (a->pos.line != b->pos.line) return a->pos.line < b->pos.line;
    return a->pos.column < b->pos.column;
  });
  const size_t listed = std::min(sorted.size(), kMaxListed);
  std::string m;
  for (size_t i = 0; i < listed; ++i) {
    if (i > 0) m += '\n';
    m.append(file_name_)
        .append(":")
        .append(std::to_string(sorted[i]->pos.line))
        .append(":")
        .append(std::to_string(sorted[i]->pos.column))
        .append(": ")
        .append(sorted[i]->message);
  }
  if (count_ > listed) {
    m.append("\n").append(file_name_).append(": ").append(std::to_string(count_ - listed));
    m.append(" more errors not listed");
  }
  return InvalidArgumentError(std::move(m));
}

}  // namespace sightline::config
