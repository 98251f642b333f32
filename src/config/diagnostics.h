#pragma once
// Collects every problem found in a config file so they can all be reported at once, each as
// "FILE:LINE:COL: message" (the form editors and compilers use). Not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sightline::config {

// A place in the file, 1-based.
struct Position {
  int line = 1;
  int column = 1;
};

class Diagnostics {
 public:
  // At most this many errors are listed; a last line counts the rest. Only the first kMaxKept
  // are kept (they are sorted by position before listing) and messages are cut at
  // kMaxMessageBytes, so hostile input cannot make the report huge.
  static constexpr size_t kMaxListed = 100;
  static constexpr size_t kMaxKept = 1000;
  static constexpr size_t kMaxMessageBytes = 1000;

  explicit Diagnostics(std::string_view file_name) : file_name_(file_name) {}

  // Control characters in `message` are escaped (\n, \t, \xNN) to keep one error per line.
  void Add(Position pos, std::string message);
  bool empty() const { return count_ == 0; }

  // OK when nothing was added; otherwise InvalidArgument whose message has one line per error,
  // "FILE:LINE:COL: message", in file order.
  Status ToStatus() const;

 private:
  struct Error {
    Position pos;
    std::string message;
  };

  std::string file_name_;
  std::vector<Error> errors_;
  size_t count_ = 0;
};

}  // namespace sightline::config
