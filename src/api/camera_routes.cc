// GET /api/cameras, /api/cameras/{camera}, /api/cameras/{camera}/snapshot.jpg
// (docs/ref/api.md "Cameras and health").

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "store/stored_media.h"
#include "decode/jpeg.h"

namespace sightline::api {
namespace {

constexpr int kSnapshotMaxWidth = 1920;

nlohmann::json StreamJson(const StreamStatus& s) {
  return {{"name", s.name},
          {"roles", s.roles},
          {"recorded", s.recorded},
          {"online", s.online},
          {"state", s.state},
          {"codec", s.codec},
          {"width", s.width},
          {"height", s.height},
          {"fps", s.fps},
          {"bitrate_bps", s.bitrate_bps},
          {"last_frame_us", s.last_frame_us},
          {"reconnects", s.reconnects},
          {"frames_dropped", s.frames_dropped},
          {"gops_dropped", s.gops_dropped}};
}

// Adds what the index knows of each recorded stream: bytes kept and the oldest recording.
nlohmann::json CameraJson(const CameraStatus& c, store::Index* index) {
  nlohmann::json streams = nlohmann::json::array();
  for (const StreamStatus& s : c.streams) {
    nlohmann::json j = StreamJson(s);
    if (index != nullptr && s.recorded) {
      Result<std::optional<store::StreamRow>> row = index->FindStream(c.name, s.name);
      if (row.ok() && row->has_value()) {
        j["recorded_bytes"] = (*row)->bytes;
        Result<std::optional<int64_t>> oldest = index->OldestStart((*row)->id);
        j["oldest_us"] = oldest.ok() && oldest->has_value() ? **oldest : 0;
      }
    }
    streams.push_back(std::move(j));
  }
  nlohmann::json out = {{"name", c.name}, {"live_stream", c.live_stream}, {"streams", std::move(streams)}};
  if (c.onvif) {
    out["onvif"] = {{"resolved", c.onvif->resolved},
                    {"clock_offset_ms", c.onvif->clock_offset_ms ? nlohmann::json(*c.onvif->clock_offset_ms) : nullptr},
                    {"events", c.onvif->events},
                    {"problem", c.onvif->problem}};
  }
  return out;
}

}  // namespace

void AddCameraRoutes(const ContextPtr& ctx, http::Router& router) {
  router.Add("GET", "/api/cameras",
             ctx->Authed([ctx](http::Request&, const auth::User& user) -> Result<http::Response> {
               Result<IndexLease> index = ctx->ReadIndex();
               nlohmann::json cameras = nlohmann::json::array();
               for (const CameraStatus& c : ctx->deps().cameras->Cameras()) {
                 if (user.CanView(c.name)) {
                   cameras.push_back(CameraJson(c, index.ok() ? &**index : nullptr));
                 }
               }
               return http::Response::Json(200, nlohmann::json{{"cameras", cameras}}.dump());
             }));

  router.Add("GET", "/api/cameras/{camera}",
             ctx->Authed([ctx](http::Request& r, const auth::User& user) -> Result<http::Response> {
               ASSIGN_OR_RETURN(CameraStatus c, ctx->ViewableCamera(user, r.Param("camera")));
               Result<IndexLease> index = ctx->ReadIndex();
               return http::Response::Json(200, CameraJson(c, index.ok() ? &**index : nullptr).dump());
             }));

  router.Add("GET", "/api/cameras/{camera}/snapshot.jpg",
             ctx->Authed([ctx](http::Request& r, const auth::User& user) -> Result<http::Response> {
               // A still picture leaves with the user like an export does: operators only,
               // as the roles say (security-review-1 M5).
               if (!user.CanOperate()) {
                 return PermissionDeniedError("Snapshots need the operator or admin role.");
               }
               ASSIGN_OR_RETURN(CameraStatus c, ctx->ViewableCamera(user, r.Param("camera")));
               const std::string stream = r.Query("stream", c.live_stream);
               ASSIGN_OR_RETURN(StreamStatus s, ctx->StreamOf(c, stream));
               Bytes jpeg;
               int64_t time_us = 0;
               if (r.HasQuery("time_us")) {
                 ASSIGN_OR_RETURN(time_us, QueryTime(r, "time_us"));
                 ASSIGN_OR_RETURN(IndexLease index, ctx->ReadIndex());
                 ASSIGN_OR_RETURN(std::vector<store::StorageDir> dirs, ctx->StorageDirs());
                 ASSIGN_OR_RETURN(store::StoredKeyframe k,
                                  store::ReadKeyframeAt(*ctx->deps().env, *index, dirs, c.name, s.name, time_us));
                 ASSIGN_OR_RETURN(jpeg, decode::SnapshotJpeg(k.params, k.sample, kSnapshotMaxWidth));
               } else {
                 live::StreamHub* hub = ctx->deps().cameras->Hub(c.name, s.name);
                 media::FramePtr key = hub != nullptr ? hub->latest_keyframe() : nullptr;
                 if (key == nullptr || key->params == nullptr) {
                   return NotFoundError("Camera " + c.name + " has sent no picture yet.");
                 }
                 ASSIGN_OR_RETURN(jpeg, decode::SnapshotJpeg(*key->params, key->data, kSnapshotMaxWidth));
               }
               ctx->Audit(user, r, auth::kAuditSnapshot, c.name, time_us, time_us, s.name);
               http::Response resp;
               resp.body.assign(jpeg.begin(), jpeg.end());
               resp.content_type = "image/jpeg";
               resp.headers.Set("Cache-Control", "private, no-store");
               return resp;
             }));
}

}  // namespace sightline::api
