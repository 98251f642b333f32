// Motion events, their thumbnails and the region search (docs/ref/api.md "Motion").

#include <algorithm>

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "motion/motion_grid.h"

namespace sightline::api {
namespace {

constexpr int kMaxEvents = 500;
constexpr int kMaxRanges = 2000;

nlohmann::json EventJson(const store::MotionEventRow& e) {
  return {{"id", e.id},
          {"camera", e.camera},
          {"stream", e.stream},
          {"start_us", e.start_us},
          {"end_us", e.end_us},
          {"zones", e.zones},
          {"peak_fraction", e.peak_fraction},
          {"peak_us", e.peak_us},
          {"thumbnail", e.has_thumbnail},
          {"source", e.source}};
}

// One row per camera listed (so that filtering the log by camera finds it), at most once a
// minute per user, camera and hour range: the camera page reloads the list as the timeline
// moves. A list of every camera's events names the cameras in one row.
void AuditEventList(Context& ctx, const auth::User& user, const http::Request& r,
                    const std::vector<std::string>& cameras, int64_t start_us, int64_t end_us) {
  if (r.HasQuery("camera") && cameras.size() == 1) {
    if (ctx.FirstInAWhile("events", user.name,
                          Context::HourRangeKey(cameras[0], "", start_us, end_us))) {
      ctx.Audit(user, r, auth::kAuditEvents, cameras[0], start_us, end_us);
    }
    return;
  }
  std::string names;
  for (const std::string& c : cameras) names += (names.empty() ? "" : ",") + c;
  if (ctx.FirstInAWhile("events", user.name, Context::HourRangeKey("*", names, start_us, end_us))) {
    ctx.Audit(user, r, auth::kAuditEvents, "", start_us, end_us, "cameras=" + names);
  }
}

}  // namespace

nlohmann::json Context::EventsJson(const std::string& camera, int64_t start_us, int64_t end_us) {
  nlohmann::json out = nlohmann::json::array();
  Result<IndexLease> index = ReadIndex();
  if (!index.ok()) return out;
  Result<std::vector<store::MotionEventRow>> rows =
      (*index)->MotionEvents(camera, start_us, end_us, kMaxEvents);
  if (!rows.ok()) return out;
  for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
    out.push_back({{"id", it->id}, {"start_us", it->start_us}, {"end_us", it->end_us}});
  }
  return out;
}

void AddMotionRoutes(const ContextPtr& ctx, http::Router& router) {
  router.Add("GET", "/api/events",
             ctx->Authed([ctx](http::Request& r, const auth::User& user) -> Result<http::Response> {
               ASSIGN_OR_RETURN(int64_t start, QueryInt(r, "start_us", 0));
               ASSIGN_OR_RETURN(int64_t end, QueryInt(r, "end_us", ctx->NowUs() + 1));
               ASSIGN_OR_RETURN(int64_t limit, QueryInt(r, "limit", 100));
               limit = std::clamp<int64_t>(limit, 1, kMaxEvents);
               std::vector<std::string> cameras;
               if (r.HasQuery("camera")) {
                 ASSIGN_OR_RETURN(CameraStatus c, ctx->ViewableCamera(user, r.Query("camera")));
                 cameras.push_back(c.name);
               } else {
                 for (const CameraStatus& c : ctx->deps().cameras->Cameras()) {
                   if (user.CanView(c.name)) cameras.push_back(c.name);
                 }
               }
               ASSIGN_OR_RETURN(IndexLease index, ctx->ReadIndex());
               std::vector<store::MotionEventRow> all;
               for (const std::string& c : cameras) {
                 ASSIGN_OR_RETURN(std::vector<store::MotionEventRow> rows,
                                  index->MotionEvents(c, start, end, static_cast<int>(limit)));
                 all.insert(all.end(), rows.begin(), rows.end());
               }
               std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
                 return a.start_us > b.start_us;
               });
               if (all.size() > static_cast<size_t>(limit)) all.resize(static_cast<size_t>(limit));
               nlohmann::json list = nlohmann::json::array();
               for (const store::MotionEventRow& e : all) list.push_back(EventJson(e));
               AuditEventList(*ctx, user, r, cameras, start, end);
               return http::Response::Json(200, nlohmann::json{{"events", list}}.dump());
             }));

  router.Add("GET", "/api/events/{id}/thumbnail.jpg",
             ctx->Authed([ctx](http::Request& r, const auth::User& user) -> Result<http::Response> {
               const std::string text = r.Param("id");
               const std::optional<int64_t> parsed = ParseInt(text);
               if (!parsed.has_value()) return NotFoundError("No such event.");
               const int64_t id = *parsed;
               ASSIGN_OR_RETURN(IndexLease index, ctx->ReadIndex());
               // The event's camera decides who may see it: find it first.
               ASSIGN_OR_RETURN(std::optional<store::MotionEventRow> event, index->MotionEventById(id));
               if (!event.has_value()) return NotFoundError("No such event.");
               ASSIGN_OR_RETURN(CameraStatus c, ctx->ViewableCamera(user, event->camera));
               ASSIGN_OR_RETURN(Bytes jpeg, index->MotionEventThumbnail(id));
               // A list of events loads a thumbnail each: one row per user and camera a
               // minute (naming the first event) records the viewing without a row per image.
               if (ctx->FirstInAWhile(auth::kAuditThumbnail, user.name, c.name)) {
                 ctx->Audit(user, r, auth::kAuditThumbnail, c.name, event->peak_us,
                            event->peak_us, "event " + text);
               }
               http::Response resp;
               resp.body.assign(jpeg.begin(), jpeg.end());
               resp.content_type = "image/jpeg";
               resp.headers.Set("Cache-Control", "private, max-age=86400");
               return resp;
             }));

  router.Add("GET", "/api/cameras/{camera}/motion",
             ctx->Authed([ctx](http::Request& r, const auth::User& user) -> Result<http::Response> {
               ASSIGN_OR_RETURN(CameraStatus c, ctx->ViewableCamera(user, r.Param("camera")));
               ASSIGN_OR_RETURN(auto range, QueryRange(r));
               motion::Rect rect;
               ASSIGN_OR_RETURN(rect.x, QueryDouble(r, "x"));
               ASSIGN_OR_RETURN(rect.y, QueryDouble(r, "y"));
               ASSIGN_OR_RETURN(rect.w, QueryDouble(r, "w"));
               ASSIGN_OR_RETURN(rect.h, QueryDouble(r, "h"));
               if (!(rect.x >= 0 && rect.y >= 0 && rect.w > 0 && rect.h > 0 && rect.x + rect.w <= 1.0001 &&
                     rect.y + rect.h <= 1.0001)) {
                 return InvalidArgumentError("The rectangle must lie within 0..1 (x, y, w, h).");
               }
               const Bytes query = motion::MotionGrid::FromRect(rect).Serialize();
               ASSIGN_OR_RETURN(IndexLease index, ctx->ReadIndex());
               ASSIGN_OR_RETURN(store::MotionSearchResult result,
                                index->SearchMotion(c.name, range.first, range.second, query, kMaxRanges));
               nlohmann::json ranges = nlohmann::json::array();
               for (const store::MotionRange& m : result.ranges) {
                 ranges.push_back({{"start_us", m.start_us}, {"end_us", m.end_us}});
               }
               // Every search: each is a deliberate question about what happened where.
               ctx->Audit(user, r, auth::kAuditMotionSearch, c.name, range.first, range.second,
                          "x=" + r.Query("x") + " y=" + r.Query("y") + " w=" + r.Query("w") +
                              " h=" + r.Query("h") + " ranges=" +
                              std::to_string(result.ranges.size()));
               return http::Response::Json(200, nlohmann::json{{"ranges", ranges}}.dump());
             }));
}

}  // namespace sightline::api
