// sightline protect: the evidence lock (Index::SetProtected): segments of a stream that
// retention must never delete. Writes the index beside a running recorder: SQLite's WAL lets
// a second writer in, waiting out the recorder's short commits (busy timeout).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/command.h"
#include "app/subcommands.h"
#include "base/flags.h"
#include "config/config.h"
#include "store/env.h"
#include "store/export.h"
#include "store/index.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage:
  sightline protect --config FILE --camera NAME [--stream NAME] --start TIME --end TIME [--off]

Evidence lock: the recordings of one stream from --start to --end are never deleted by
retention (max_age, max_bytes, min_free) until unlocked with --off. Whole segment files are
locked, so the locked span may reach up to one segment_duration beyond the range. Works while
`sightline run` is recording. Locks live in the index: `sightline check --rebuild-index`
drops them.

TIME is an ISO 8601 date and time: 2026-11-21T10:15:00Z, 2026-11-21T11:15:00+01:00; without
a zone it is UTC, not local time.

flags:
  --config FILE     sightline.yaml (required)
  --camera NAME     the camera (required)
  --stream NAME     its stream (default main)
  --start TIME      (required)
  --end TIME        (required)
  --off             unlock instead

exit status: 0 done; 1 nothing recorded in the range, or the index could not be written;
2 bad flags or config
)";

}  // namespace

int ProtectMain(int argc, char** argv) {
  Command cmd("protect", kHelp);
  if (std::optional<int> done = cmd.Parse(
          {{"config"}, {"camera"}, {"stream"}, {"start"}, {"end"}, {"off", false}}, argc, argv,
          {"config", "camera", "start", "end"})) {
    return *done;
  }
  const Flags* flags = &cmd.flags();
  auto fail = [&](const Status& s, int code) { return cmd.Fail(s, code); };
  const std::string camera = flags->Get("camera");
  const std::string stream = flags->Get("stream", "main");
  const bool on = !flags->Has("off");
  Result<int64_t> start = store::ParseIso8601(flags->Get("start"));
  Result<int64_t> end = store::ParseIso8601(flags->Get("end"));
  if (!start.ok()) return fail(std::move(start).status().WithContext("--start"), 2);
  if (!end.ok()) return fail(std::move(end).status().WithContext("--end"), 2);
  if (*end <= *start) return fail(InvalidArgumentError("--end must be after --start"), 2);
  Result<config::Config> cfg = config::LoadConfig(flags->Get("config"));
  if (!cfg.ok()) return fail(cfg.status(), 2);

  const std::string& index_path = cfg->storage.index_path;
  if (!store::DefaultEnv()->Exists(index_path)) {
    return fail(NotFoundError("no index at " + index_path + ": nothing has been recorded yet"), 1);
  }
  Result<std::unique_ptr<store::Index>> index = store::Index::Open(index_path);
  if (!index.ok()) return fail(index.status(), 1);
  const std::string what = camera + "/" + stream;
  const std::string range =
      " from " + store::FormatIso8601(*start) + " to " + store::FormatIso8601(*end);
  Result<std::optional<store::StreamRow>> row = (*index)->FindStream(camera, stream);
  if (!row.ok()) return fail(row.status(), 1);
  if (!row->has_value()) return fail(NotFoundError("nothing was ever recorded for " + what), 1);
  const int64_t stream_id = (*row)->id;
  Result<int64_t> changed = (*index)->SetProtected(stream_id, *start, *end, on);
  if (!changed.ok()) return fail(changed.status(), 1);
  if (*changed == 0) return fail(NotFoundError("nothing was recorded for " + what + range), 1);
  Result<std::vector<store::SegmentRow>> rows = (*index)->SegmentsInRange(stream_id, *start, *end);
  if (!rows.ok()) return fail(rows.status(), 1);
  std::printf("%s %lld segment%s of %s", on ? "protected" : "unprotected",
              static_cast<long long>(*changed), *changed == 1 ? "" : "s", what.c_str());
  if (!rows->empty()) {
    std::printf(", covering %s to %s", store::FormatIso8601(rows->front().start_us).c_str(),
                store::FormatIso8601(rows->back().end_us).c_str());
  }
  std::printf("\n");
  return 0;
}

}  // namespace sightline::app
