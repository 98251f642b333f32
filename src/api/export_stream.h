#pragma once
// The answer to POST /api/cameras/{camera}/export (docs/ref/api.md): the export made on the
// export pool (export_jobs.h) and streamed to the client as it is read from the segment
// files. Nothing is written to disk, so an export can never fill a recording disk or make
// retention delete recordings (security review M2).
//
// Threads: StreamExport runs on the HTTP blocking pool and returns at once; the export's work
// runs on ctx's export pool, one step at a time. Lifetime: the deferred response and its body
// hold `ctx` and `slot` until the download ends or fails.

#include <cstdint>
#include <memory>
#include <string>

#include "api/context.h"
#include "api/export_jobs.h"
#include "auth/user.h"
#include "http/request.h"

namespace sightline::api {

struct ExportJob {
  http::Request request;  // a copy, for the audit row
  auth::User user;        // may view `camera`: checked by the route
  std::string camera;
  std::string stream;     // recorded
  int64_t start_us = 0;   // [start_us, end_us), within the route's cap
  int64_t end_us = 0;
};

// A deferred response: 200 with the MP4 (Content-Length known before the first byte, after
// the first pass), 409 with the parts when the range has gaps or several resolutions, or the
// error. Audited (`export`) once the export is prepared or has failed.
http::Response StreamExport(const ContextPtr& ctx, ExportJob job,
                            std::unique_ptr<ExportJobs::Slot> slot);

}  // namespace sightline::api
