#pragma once
// For tests of this folder: finds a box in written bytes by its path, so tests can check the
// fields a writer put there.

#include <string>
#include <string_view>

#include "base/result.h"
#include "mp4/box_reader.h"

namespace sightline::mp4::testing {

// The box at `path`, e.g. "moov/trak/mdia/minf/stbl/stsd/avc1/avcC": the first box of each
// type in turn, starting with the top-level boxes of `file`. Knows that stsd's entries start
// after its 8-byte header and a visual sample entry's children after its 78 bytes of fields.
inline Result<Box> FindBoxPath(ByteSpan file, std::string_view path) {
  ByteSpan data = file;
  uint64_t offset = 0;
  Box box;
  std::string where;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string name(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (name.size() != 4) return InvalidArgumentError("bad box name " + name);
    const uint32_t type = LoadBe32(reinterpret_cast<const uint8_t*>(name.data()));
    BoxIterator it(data, offset);
    bool found = false;
    while (!found && !it.done()) {
      ASSIGN_OR_RETURN(box, it.Next());
      found = box.type == type;
    }
    where += (where.empty() ? "" : "/") + name;
    if (!found) return NotFoundError("no " + where);
    size_t skip = 0;
    if (name == "stsd") skip = 8;
    if (name == "avc1" || name == "hvc1") skip = 78;
    if (box.payload.size() < skip) return InvalidArgumentError(where + " too short");
    data = box.payload.subspan(skip);
    offset = box.payload_offset() + skip;
  }
  return box;
}

}  // namespace sightline::mp4::testing
