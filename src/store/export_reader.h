#pragma once
// ExportReader: an export (export.h) as a stream of bytes, for a caller that sends them as
// they are made (the API streams them to the client) instead of writing a file. Export()
// writes its files through it, so both produce the same bytes.
//
//   ASSIGN_OR_RETURN(auto reader, ExportReader::Open(env, index, dirs, request));
//   ASSIGN_OR_RETURN(ExportPart part, reader->Prepare(0));   // pass 1: the header
//   for (;;) { ASSIGN_OR_RETURN(Bytes b, reader->Next()); if (b.empty()) break; send(b); }
//
// Open plans the parts (reading only the segments' init segments); Prepare(i) runs pass 1 of
// part i (the sample table, so its size is known before its first byte); Next() then returns
// the part's MP4 header, then its sample bytes in runs of at most 8 MiB (pass 2), then an
// empty Bytes. Memory: the prepared part's header plus two 8 MiB buffers during Next().
//
// Lifetime: `env` must outlive the reader; `index` is used only during Open. Thread-
// compatible: one thread at a time (calls may move between threads, e.g. a pool).

#include <cstdint>
#include <memory>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "store/env.h"
#include "store/export.h"
#include "store/index.h"
#include "store/recovery.h"

namespace sightline::store {

class ExportReader {
 public:
  // `request.output_path` is not used. Errors as Export's: InvalidArgument for an empty or
  // reversed range, NotFound when nothing is recorded in it.
  static Result<std::unique_ptr<ExportReader>> Open(Env& env, Index& index,
                                                    const std::vector<StorageDir>& dirs,
                                                    const ExportRequest& request);
  ~ExportReader();
  ExportReader(const ExportReader&) = delete;
  ExportReader& operator=(const ExportReader&) = delete;

  // The number of parts (at least one): gaps and parameter changes split the range.
  size_t parts() const;
  // Pass 1 of part `i` (0-based, any order): its description, `path` left empty. Makes it
  // the part Next() reads, from its first byte.
  Result<ExportPart> Prepare(size_t i);
  // The prepared part's next bytes, in order; empty once all `ExportPart::bytes` were
  // returned. FailedPrecondition before Prepare. NotFound when retention deleted a segment
  // meanwhile.
  Result<Bytes> Next();
  // From segment files, both passes, so far.
  uint64_t bytes_read() const;

 private:
  struct State;
  explicit ExportReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sightline::store
