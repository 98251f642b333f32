// Recordings, HLS playback, segment files, export and evidence lock (docs/ref/api.md
// "Recordings and playback").

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/export_stream.h"
#include "api/hls_playlist.h"
#include "api/json.h"
#include "store/stored_media.h"
#include "base/logging.h"
#include "http/range.h"
#include "store/export.h"

namespace sightline::api {
namespace {

constexpr int64_t kHourUs = 3'600'000'000;
constexpr int64_t kMaxRecordingsRangeUs = 31 * 24 * kHourUs;
constexpr int64_t kMaxPlaylistRangeUs = 25 * kHourUs;
constexpr int64_t kMaxExportRangeUs = 6 * kHourUs;

// The camera (viewable), the stream (given by `stream`, or the first recorded one) and its
// index row.
struct Target {
  CameraStatus camera;
  std::string stream;
  int64_t stream_id = 0;
};

Result<Target> ResolveTarget(Context& ctx, store::Index& index, const auth::User& user,
                             const std::string& camera, std::string stream) {
  Target t;
  ASSIGN_OR_RETURN(t.camera, ctx.ViewableCamera(user, camera));
  if (stream.empty()) {
    for (const StreamStatus& s : t.camera.streams) {
      if (s.recorded) {
        stream = s.name;
        break;
      }
    }
    if (stream.empty()) return NotFoundError("Camera " + camera + " records no stream.");
  } else {
    ASSIGN_OR_RETURN(StreamStatus s, ctx.StreamOf(t.camera, stream));
  }
  t.stream = stream;
  ASSIGN_OR_RETURN(std::optional<store::StreamRow> row, index.FindStream(camera, stream));
  if (!row.has_value()) return NotFoundError("Nothing is recorded of " + camera + "/" + stream + ".");
  t.stream_id = row->id;
  return t;
}

Status CheckSpan(int64_t start_us, int64_t end_us, int64_t max_us, std::string_view what) {
  // QueryRange keeps both ends in [0, kMaxTimeUs], so the difference cannot overflow; the
  // check does not rely on it (security-review-1 M1: INT64_MIN..INT64_MAX passed the cap).
  if (end_us < start_us || SpanUs(start_us, end_us) > static_cast<uint64_t>(max_us)) {
    return InvalidArgumentError(std::string(what) + " may cover at most " +
                                std::to_string(max_us / kHourUs) + " hours.");
  }
  return Status();
}

// Recorded spans (segments less than 1 s apart with the same resolution merged), clipped to
// the range, and the gaps between them.
nlohmann::json RecordingsJson(const std::vector<store::SegmentRow>& segments, int64_t start_us,
                              int64_t end_us) {
  struct Span {
    int64_t start_us, end_us;
    const store::SegmentRow* first;
  };
  std::vector<Span> spans;
  for (const store::SegmentRow& s : segments) {
    const int64_t a = std::max(s.start_us, start_us), b = std::min(s.end_us, end_us);
    if (b <= a) continue;
    if (!spans.empty() && a - spans.back().end_us < 1'000'000 &&
        spans.back().first->width == s.width && spans.back().first->height == s.height &&
        spans.back().first->codec == s.codec) {
      spans.back().end_us = std::max(spans.back().end_us, b);
    } else {
      spans.push_back({a, b, &s});
    }
  }
  nlohmann::json js = nlohmann::json::array(), gaps = nlohmann::json::array();
  int64_t cursor = start_us;
  for (const Span& s : spans) {
    if (s.start_us > cursor) gaps.push_back({{"start_us", cursor}, {"end_us", s.start_us}});
    js.push_back({{"start_us", s.start_us},
                  {"end_us", s.end_us},
                  {"codec", s.first->codec},
                  {"width", s.first->width},
                  {"height", s.first->height}});
    cursor = std::max(cursor, s.end_us);
  }
  if (cursor < end_us) gaps.push_back({{"start_us", cursor}, {"end_us", end_us}});
  return {{"start_us", start_us}, {"end_us", end_us}, {"spans", js}, {"gaps", gaps}};
}

// POST /api/cameras/{camera}/export: checked here on the HTTP pool (role, camera, span, the
// export limits), then made and streamed on the export pool (export_stream.h).
Result<http::Response> StartExport(const ContextPtr& ctx, http::Request& r, const auth::User& user) {
  if (!user.CanOperate()) return PermissionDeniedError("Exporting needs the operator or admin role.");
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
  ASSIGN_OR_RETURN(const int64_t start_us, JsonInt(body, "start_us"));
  ASSIGN_OR_RETURN(const int64_t end_us, JsonInt(body, "end_us"));
  if (end_us <= start_us) return InvalidArgumentError("end_us must be after start_us.");
  RETURN_IF_ERROR(CheckSpan(start_us, end_us, kMaxExportRangeUs, "An export"));
  Target t;
  {
    ASSIGN_OR_RETURN(IndexLease index, ctx->ReadIndex());
    ASSIGN_OR_RETURN(t, ResolveTarget(*ctx, *index, user, r.Param("camera"), JsonString(body, "stream")));
  }
  Result<std::unique_ptr<ExportJobs::Slot>> slot = ctx->exports().Acquire(user.name);
  if (!slot.ok()) {
    http::Response busy = ErrorResponse(slot.status());  // 429
    // Exports of minutes of video take seconds; of hours, a minute or two.
    busy.headers.Set("Retry-After", "10");
    return busy;
  }
  return StreamExport(ctx, {r, user, t.camera.name, t.stream, start_us, end_us}, std::move(*slot));
}

// Audits what a segment request sends: the fragments its Range (as the server will apply it,
// http/range.h) covers. The init segment alone shows no picture and is not audited.
void AuditSegmentFetch(Context& ctx, const auth::User& user, const http::Request& r,
                       const Target& t, const store::SegmentRow& seg) {
  if (r.method == "HEAD") return;
  uint64_t offset = 0, length = seg.durable_length;
  if (std::string_view header = r.Header("Range"); !header.empty()) {
    Result<http::ByteRange> range = http::ParseRange(header, seg.durable_length);
    if (range.ok()) {
      offset = range->offset;
      length = range->length;
    } else if (range.status().code() == StatusCode::kOutOfRange) {
      return;  // 416: nothing is sent
    }
  }
  Result<std::optional<std::pair<int64_t, int64_t>>> span = store::ServedSpan(seg, offset, length);
  if (!span.ok()) {
    SL_LOG(kError) << "api: audit of segment " << seg.id << ": " << span.status();
    // Still audited, as the whole segment: a row too wide beats no row.
    span = std::optional<std::pair<int64_t, int64_t>>({seg.start_us, seg.end_us});
  }
  if (!span->has_value()) return;
  ctx.AuditRecordedView(user, r, t.camera.name, t.stream, seg.seq, (*span)->first,
                        (*span)->second, length);
}

// Recorded spans, gaps and events in a range (docs/ref/api.md "Recordings and playback").
Result<http::Response> ListRecordings(Context& ctx, http::Request& r, const auth::User& user) {
  ASSIGN_OR_RETURN(auto range, QueryRange(r));
  RETURN_IF_ERROR(CheckSpan(range.first, range.second, kMaxRecordingsRangeUs, "A query"));
  ASSIGN_OR_RETURN(IndexLease index, ctx.ReadIndex());
  ASSIGN_OR_RETURN(Target t, ResolveTarget(ctx, *index, user, r.Param("camera"),
                                           r.Query("stream")));
  ASSIGN_OR_RETURN(std::vector<store::SegmentRow> segs,
                   index->SegmentsInRange(t.stream_id, range.first, range.second));
  nlohmann::json j = RecordingsJson(segs, range.first, range.second);
  j["stream"] = t.stream;
  j["events"] = ctx.EventsJson(t.camera.name, range.first, range.second);
  if (ctx.FirstInAWhile("recordings", user.name, Context::HourRangeKey(
          t.camera.name, t.stream, range.first, range.second))) {
    ctx.Audit(user, r, auth::kAuditRecordings, t.camera.name, range.first,
              range.second, "stream=" + t.stream);
  }
  return http::Response::Json(200, j.dump());
}

// The HLS playlist of a range: byte ranges into the stored segment files.
Result<http::Response> ServePlaylist(Context& ctx, http::Request& r, const auth::User& user) {
  ASSIGN_OR_RETURN(auto range, QueryRange(r));
  RETURN_IF_ERROR(CheckSpan(range.first, range.second, kMaxPlaylistRangeUs, "A playlist"));
  ASSIGN_OR_RETURN(IndexLease index, ctx.ReadIndex());
  ASSIGN_OR_RETURN(Target t, ResolveTarget(ctx, *index, user, r.Param("camera"),
                                           r.Param("stream")));
  ASSIGN_OR_RETURN(std::vector<store::SegmentRow> segs,
                   index->SegmentsInRange(t.stream_id, range.first, range.second));
  bool complete = range.second <= ctx.NowUs();
  for (const store::SegmentRow& s : segs) complete = complete && !s.open;
  ASSIGN_OR_RETURN(std::string playlist,
                   HlsPlaylist(segs, {range.first, range.second, complete}));
  if (ctx.FirstInAWhile("playback", user.name, Context::HourRangeKey(
          t.camera.name, t.stream, range.first, range.second))) {
    ctx.Audit(user, r, auth::kAuditPlayback, t.camera.name, range.first, range.second,
              t.stream);
  }
  http::Response resp;
  resp.body = std::move(playlist);
  resp.content_type = "application/vnd.apple.mpegurl";
  resp.headers.Set("Cache-Control", "private, no-cache");
  return resp;
}

// A segment file (its durable bytes), audited as the span its Range covers.
Result<http::Response> ServeSegment(Context& ctx, http::Request& r, const auth::User& user) {
  const std::string file = r.Param("file");
  const std::optional<int64_t> parsed =
      file.ends_with(".mp4") ? ParseInt(std::string_view(file).substr(0, file.size() - 4))
                             : std::nullopt;
  if (!parsed.has_value()) return NotFoundError("No such segment.");
  const int64_t id = *parsed;
  ASSIGN_OR_RETURN(IndexLease index, ctx.ReadIndex());
  ASSIGN_OR_RETURN(Target t, ResolveTarget(ctx, *index, user, r.Param("camera"),
                                           r.Param("stream")));
  ASSIGN_OR_RETURN(std::optional<store::SegmentRow> seg, index->SegmentById(id));
  // Only segments of the stream named in the path: the permission check above
  // must cover the file sent.
  if (!seg.has_value() || seg->stream_id != t.stream_id) {
    return NotFoundError("No such segment (it may have been deleted by retention).");
  }
  ASSIGN_OR_RETURN(std::vector<store::StorageDir> dirs, ctx.StorageDirs());
  ASSIGN_OR_RETURN(std::string path, store::SegmentPath(dirs, *seg, t.camera.name, t.stream));
  AuditSegmentFetch(ctx, user, r, t, *seg);
  http::Response resp = http::Response::File(
      {path, 0, seg->durable_length, "video/mp4"});
  // Durable bytes never change; a still open segment only grows past them.
  resp.headers.Set("Cache-Control", "private, max-age=3600");
  return resp;
}

// Evidence lock or unlock of a range of a camera's streams (operators).
Result<http::Response> SetEvidenceLock(Context& ctx, http::Request& r, const auth::User& user) {
  if (!user.CanOperate()) {
    return PermissionDeniedError("Evidence locks need the operator or admin role.");
  }
  ASSIGN_OR_RETURN(CameraStatus camera, ctx.ViewableCamera(user, r.Param("camera")));
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
  const std::string stream = JsonString(body, "stream");
  ASSIGN_OR_RETURN(const int64_t start_us, JsonInt(body, "start_us"));
  ASSIGN_OR_RETURN(const int64_t end_us, JsonInt(body, "end_us"));
  ASSIGN_OR_RETURN(const bool on, JsonBool(body, "protect", true));
  if (end_us <= start_us || start_us < 0 || end_us > kMaxTimeUs) {
    return InvalidArgumentError("end_us must be after start_us, both times since 1970.");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Index> index, ctx.WriteIndex());
  int64_t changed = 0;
  for (const StreamStatus& s : camera.streams) {
    if (!s.recorded || (!stream.empty() && s.name != stream)) continue;
    ASSIGN_OR_RETURN(std::optional<store::StreamRow> row,
                     index->FindStream(camera.name, s.name));
    if (!row.has_value()) continue;
    ASSIGN_OR_RETURN(int64_t n, index->SetProtected(row->id, start_us, end_us, on));
    changed += n;
  }
  ctx.Audit(user, r, auth::kAuditEvidenceLock, camera.name, start_us, end_us,
            std::string(on ? "lock " : "unlock ") + (stream.empty() ? "all streams" : stream));
  return http::Response::Json(200, nlohmann::json{{"segments", changed}}.dump());
}

// A route's handler as Context::Authed takes it.
http::Handler Bound(const ContextPtr& ctx,
                    Result<http::Response> (*handler)(Context&, http::Request&, const auth::User&)) {
  return ctx->Authed([ctx, handler](http::Request& r, const auth::User& user) { return handler(*ctx, r, user); });
}

}  // namespace

void AddRecordingRoutes(const ContextPtr& ctx, http::Router& router) {
  router.Add("GET", "/api/cameras/{camera}/recordings", Bound(ctx, ListRecordings));
  router.Add("GET", "/api/cameras/{camera}/streams/{stream}/playlist.m3u8", Bound(ctx, ServePlaylist));
  router.Add("GET", "/api/cameras/{camera}/streams/{stream}/segments/{file}", Bound(ctx, ServeSegment));
  router.Add("POST", "/api/cameras/{camera}/protect", Bound(ctx, SetEvidenceLock));

  router.Add("POST", "/api/cameras/{camera}/export",
             ctx->Authed([ctx](http::Request& r, const auth::User& user) {
               return StartExport(ctx, r, user);
             }));
  // A GET (or HEAD) with side effects could be triggered from another site (security review
  // L1, L9): on the export route, and on the old export.mp4 route, it only says how to export.
  auto use_post = [](std::string allow) {
    return [allow](http::Request&) {
      http::Response r = http::Response::Error(
          405, "Exports are made with POST /api/cameras/{camera}/export and a JSON body "
               "{\"stream\", \"start_us\", \"end_us\"}.");
      r.headers.Set("Allow", allow);  // "": the old route allows no method (RFC 9110 10.2.1)
      return r;
    };
  };
  router.Add("GET", "/api/cameras/{camera}/export", use_post("POST"));
  router.Add("GET", "/api/cameras/{camera}/export.mp4", use_post(""));
}

}  // namespace sightline::api
