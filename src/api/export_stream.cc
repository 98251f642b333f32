// StreamExport (export_stream.h).

#include "api/export_stream.h"

#include <nlohmann/json.hpp>

#include "http/stream_body.h"
#include "store/export.h"
#include "store/export_reader.h"

namespace sightline::api {
namespace {

// "2026-11-21T10-15-00Z": ISO 8601 without the colons that some file systems refuse.
std::string FileTime(int64_t us) {
  std::string s = store::FormatIso8601(us - us % 1'000'000);
  for (char& c : s) {
    if (c == ':') c = '-';
  }
  return s;
}

// 409 naming each part's range: the client downloads them one by one.
Result<http::Response> PartsResponse(store::ExportReader& reader) {
  nlohmann::json parts = nlohmann::json::array();
  for (size_t i = 0; i < reader.parts(); ++i) {
    ASSIGN_OR_RETURN(store::ExportPart part, reader.Prepare(i));
    parts.push_back({{"start_us", part.start_us}, {"end_us", part.end_us}});
  }
  return http::Response::Json(
      409, nlohmann::json{{"error", "The range has gaps or changes of resolution; "
                                    "download each part by itself."},
                          {"parts", parts}}
               .dump());
}

// The MP4 of a one-part export, its bytes read on the export pool as the client takes them.
Result<http::Response> Mp4Response(Context& ctx, const ExportJob& job,
                                   std::unique_ptr<store::ExportReader> reader,
                                   std::shared_ptr<ExportJobs::Slot> slot) {
  ASSIGN_OR_RETURN(store::ExportPart part, reader->Prepare(0));
  auto body = std::make_shared<http::StreamBody>();
  body->length = part.bytes;
  body->executor = ctx.exports().executor();
  // shared_ptr: std::function must be copyable. The slot stays taken while the body lives.
  body->next = [reader = std::shared_ptr<store::ExportReader>(std::move(reader)), slot] {
    return reader->Next();
  };
  http::Response response;
  response.stream = std::move(body);
  response.content_type = "video/mp4";
  response.headers.Set("Content-Disposition", "attachment; filename=\"" + job.camera + "-" +
                                                  job.stream + "-" + FileTime(part.start_us) +
                                                  ".mp4\"");
  response.headers.Set("Cache-Control", "private, no-store");
  return response;
}

// Pass 1 and the response; the segment files are read on the export pool only.
Result<http::Response> PrepareExport(Context& ctx, const ExportJob& job,
                                     std::shared_ptr<ExportJobs::Slot> slot) {
  ASSIGN_OR_RETURN(std::vector<store::StorageDir> dirs, ctx.StorageDirs());
  std::unique_ptr<store::ExportReader> reader;
  {
    ASSIGN_OR_RETURN(IndexLease index, ctx.ReadIndex());
    const store::ExportRequest request{job.camera, job.stream, job.start_us, job.end_us, ""};
    ASSIGN_OR_RETURN(reader, store::ExportReader::Open(*ctx.deps().env, *index, dirs, request));
  }  // the index connection goes back to the pool before the long part
  if (reader->parts() > 1) return PartsResponse(*reader);
  return Mp4Response(ctx, job, std::move(reader), std::move(slot));
}

}  // namespace

http::Response StreamExport(const ContextPtr& ctx, ExportJob job,
                            std::unique_ptr<ExportJobs::Slot> slot) {
  auto deferred = std::make_shared<http::DeferredResponse>();
  deferred->executor = ctx->exports().executor();
  deferred->make = [ctx, job = std::move(job),
                    slot = std::shared_ptr<ExportJobs::Slot>(std::move(slot))]() mutable {
    Result<http::Response> response = PrepareExport(*ctx, job, std::move(slot));
    ctx->Audit(job.user, job.request, auth::kAuditExport, job.camera, job.start_us, job.end_us,
               job.stream, response.ok());
    return response.ok() ? std::move(*response) : ErrorResponse(response.status());
  };
  return http::Response::Deferred(std::move(deferred));
}

}  // namespace sightline::api
