// WriteInitSegment and ParseInitSegment (fragment.h): the ftyp + moov at the start of every
// segment file.

#include <string>

#include "mp4/box_reader.h"
#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/movie_boxes.h"
#include "mp4/sample_entry.h"

namespace sightline::mp4 {
namespace {

// Empty sample tables (14496-12 8.8.1: the samples are in movie fragments).
void WriteEmptySampleTables(BoxWriter& w) {
  {
    BoxWriter::Scope stts = w.FullBox("stts", 0, 0);
    w.U32(0);  // entry_count
  }
  {
    BoxWriter::Scope stsc = w.FullBox("stsc", 0, 0);
    w.U32(0);  // entry_count
  }
  {
    BoxWriter::Scope stsz = w.FullBox("stsz", 0, 0);
    w.U32(0);  // sample_size
    w.U32(0);  // sample_count
  }
  BoxWriter::Scope stco = w.FullBox("stco", 0, 0);
  w.U32(0);  // entry_count
}

// Descends from `box` through the first child of each of `types` in turn; `where` is the path so
// far ("moov") and grows with each step, for messages.
Result<Box> Descend(Box box, std::initializer_list<uint32_t> types, std::string& where) {
  for (uint32_t type : types) {
    ASSIGN_OR_RETURN(box, FindChild(box, type, where));
    where += "/" + FourCcName(type);
  }
  return box;
}

}  // namespace

Bytes WriteInitSegment(const media::StreamParams& params) {
  BoxWriter w;
  // iso6: 14496-12 brand with tfdt version 1; cmfc: CMAF track format, which these fragments
  // follow; mp41 for older readers.
  WriteFtyp(w, FourCc("iso6"), {FourCc("iso6"), FourCc("cmfc"), FourCc("mp41")});
  {
    BoxWriter::Scope moov = w.Box("moov");
    const MovieTiming timing;  // duration 0, time unknown: fragments carry both
    WriteMvhd(w, timing);
    WriteVideoTrak(w, params, timing, WriteEmptySampleTables);
    BoxWriter::Scope mvex = w.Box("mvex");
    // 8.8.3: defaults for the fragments' samples (each trun states its own).
    BoxWriter::Scope trex = w.FullBox("trex", 0, 0);
    w.U32(1);  // track_ID
    w.U32(1);  // default_sample_description_index
    w.U32(0);  // default_sample_duration: every trun gives its own
    w.U32(0);  // default_sample_size
    w.U32(0);  // default_sample_flags
  }
  return std::move(w).Take();
}

Result<InitInfo> ParseInitSegment(ByteSpan file) {
  BoxIterator top(file, 0);
  Result<Box> ftyp = top.Next();
  if (!ftyp.ok()) return std::move(ftyp).status().WithContext("init segment");
  if (ftyp->type != FourCc("ftyp")) {
    return InvalidArgumentError("init segment: starts with " + Describe(*ftyp) + ", not ftyp");
  }
  // Boxes a writer may put between ftyp and moov (free, skip, ...) are passed over.
  for (;;) {
    if (top.done()) return InvalidArgumentError("init segment: no moov box");
    Result<Box> box = top.Next();
    if (!box.ok()) return std::move(box).status().WithContext("init segment");
    if (box->type != FourCc("moov")) continue;

    std::string where = "moov";
    Result<Box> stsd = Descend(
        *box, {FourCc("trak"), FourCc("mdia"), FourCc("minf"), FourCc("stbl"), FourCc("stsd")},
        where);
    if (!stsd.ok()) return std::move(stsd).status();
    // stsd (8.5.2): version and flags, entry_count, then the sample entries as boxes.
    ByteReader r(stsd->payload);
    FullBoxHeader header;
    uint32_t entries = 0;
    if (!ReadFullBoxHeader(r, &header) || !r.ReadBe32(&entries)) {
      return InvalidArgumentError(where + ": shorter than its 8-byte header");
    }
    if (entries == 0) return InvalidArgumentError(where + ": entry_count 0");
    Result<Box> entry = ReadBox(r.Rest(), stsd->payload_offset() + r.position());
    if (!entry.ok()) return std::move(entry).status().WithContext(where);
    InitInfo info;
    RETURN_IF_ERROR(ParseVisualSampleEntry(*entry, where, &info));
    info.length = box->offset + box->bytes.size();
    return info;
  }
}

}  // namespace sightline::mp4
