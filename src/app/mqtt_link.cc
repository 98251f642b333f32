#include "app/mqtt_link.h"

#include <algorithm>

#include "app/version.h"
#include "base/logging.h"
#include "store/env.h"

namespace sightline::app {
namespace {

std::string MotionSettingName(const std::string& camera) { return "switch.motion." + camera; }

mqtt::BridgeOptions BridgeOptionsFrom(const config::Config& config) {
  const config::MqttConfig& m = *config.mqtt;
  mqtt::BridgeOptions o;
  o.client.host = m.host;
  o.client.port = m.port;
  o.client.user = m.user;
  o.client.password = m.password;
  o.client.tls = m.tls;
  o.client.client_id = m.client_id;
  o.topic_prefix = m.topic_prefix;
  o.commands = m.commands;
  o.base_url = m.base_url;
  o.version = std::string(kVersion);
  for (const config::CameraConfig& cam : config.cameras) {
    if (cam.enabled) o.cameras.push_back(cam.name);
  }
  return o;
}

// A camera's line of the stats: fps of its first recorded stream (else its first), the bitrate
// and losses of all its streams, online when every stream plays.
mqtt::CameraStats CameraStatsOf(const api::CameraStatus& cam) {
  mqtt::CameraStats c;
  c.name = cam.name;
  c.online = CameraOnline(cam);
  const api::StreamStatus* main = nullptr;
  int64_t bitrate_bps = 0;
  for (const api::StreamStatus& s : cam.streams) {
    bitrate_bps += s.bitrate_bps;
    c.reconnects += s.reconnects;
    c.dropped += s.frames_dropped + s.gops_dropped;
    if (main == nullptr || (s.recorded && !main->recorded)) main = &s;
  }
  c.kbit_s = bitrate_bps / 1000;
  c.fps = main != nullptr ? main->fps : 0;
  return c;
}

}  // namespace

MqttLink::MqttLink(const config::Config& config, auth::AccountStore* accounts, const Clock& clock,
                   std::unique_ptr<store::Index> index)
    : config_(config), accounts_(accounts), clock_(clock), started_us_(UnixMicros(clock.WallNow())),
      index_(std::move(index)) {}

MqttLink::~MqttLink() { Stop(); }

Result<std::unique_ptr<MqttLink>> MqttLink::Open(const config::Config& config, auth::AccountStore* accounts,
                                                 const Clock& clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Index> index, store::Index::Open(config.storage.index_path));
  return std::unique_ptr<MqttLink>(new MqttLink(config, accounts, clock, std::move(index)));
}

Status MqttLink::Start(MotionAnalysis* analysis, const Site* site) {
  analysis_ = analysis;
  site_ = site;
  RETURN_IF_ERROR(ApplySavedSwitches());
  ASSIGN_OR_RETURN(bridge_, mqtt::Bridge::Start(BridgeOptionsFrom(config_), this));
  SL_LOG(kInfo) << "mqtt: publishing to " << config_.mqtt->host << ":" << config_.mqtt->port << " under "
                << config_.mqtt->topic_prefix << "/, commands " << (config_.mqtt->commands ? "on" : "off");
  return Status();
}

// A motion switch turned off over MQTT stays off across restarts while commands are on (so
// that it can be turned on again the same way); without commands the config rules.
Status MqttLink::ApplySavedSwitches() {
  for (const config::CameraConfig& cam : config_.cameras) {
    if (!analysis_->has_analysis(cam.name)) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> saved, index_->Setting(MotionSettingName(cam.name)));
    if (saved != "off") continue;
    if (!config_.mqtt->commands) {
      SL_LOG(kWarning) << "camera=" << cam.name << " motion analysis was turned off over MQTT; mqtt.commands "
                       << "is false, so it runs as the config says";
      continue;
    }
    RETURN_IF_ERROR(analysis_->SetEnabled(cam.name, false));
    SL_LOG(kWarning) << "camera=" << cam.name << " motion analysis stays off, as an MQTT command left it; "
                     << "send ON to " << config_.mqtt->topic_prefix << "/" << cam.name << "/motion/set to resume";
  }
  return Status();
}

void MqttLink::Stop() {
  if (bridge_ != nullptr) bridge_->Stop();
}

void MqttLink::Supervise() {
  if (bridge_ == nullptr) return;
  const MonoTime now = clock_.Now();
  const bool stats_due = last_stats_ == MonoTime{} || now - last_stats_ >= kMqttStatsInterval;
  if (stats_due) {
    last_stats_ = now;
    bridge_->Stats(CollectStats());
  }
  for (const api::CameraStatus& cam : site_->Cameras()) bridge_->CameraOnline(cam.name, CameraOnline(cam));
}

mqtt::StatsMessage MqttLink::CollectStats() const {
  mqtt::StatsMessage s;
  s.uptime_s = (UnixMicros(clock_.WallNow()) - started_us_) / 1'000'000;
  for (const api::CameraStatus& cam : site_->Cameras()) {
    mqtt::CameraStats c = CameraStatsOf(cam);
    c.recording = SwitchState(cam.name, mqtt::Switch::kRecording);
    c.motion_detection = SwitchState(cam.name, mqtt::Switch::kMotion);
    s.cameras.push_back(std::move(c));
  }
  for (const config::StorageDir& d : config_.storage.dirs) {
    Result<uint64_t> free = store::DefaultEnv()->FreeBytes(d.path);
    s.disks.push_back({d.path, free.ok() ? *free : 0});
  }
  return s;
}

void MqttLink::OnMotionEvent(const std::string& camera, int64_t id, const store::MotionEventUpdate& update) {
  if (bridge_ == nullptr) return;
  static constexpr mqtt::EventType kTypes[] = {mqtt::EventType::kNew, mqtt::EventType::kUpdate,
                                               mqtt::EventType::kEnd};  // by EventPhase
  const mqtt::EventType type = kTypes[static_cast<int>(phases_.Next(camera, id, update.ended))];
  if (type == mqtt::EventType::kNew) bridge_->Motion(camera, true);
  bridge_->Event({.type = type, .id = id, .camera = camera, .zones = update.zones,
                  .start_us = update.start_us, .end_us = update.ended ? update.end_us : 0});
  bridge_->Snapshot(camera, update.thumbnail_jpeg);
  if (type == mqtt::EventType::kEnd) bridge_->Motion(camera, false);
}

bool MqttLink::SwitchState(const std::string& camera, mqtt::Switch what) const {
  if (what == mqtt::Switch::kMotion) return analysis_->enabled(camera);
  for (const config::CameraConfig& cam : config_.cameras) {
    if (cam.name != camera) continue;
    return std::any_of(cam.streams.begin(), cam.streams.end(),
                       [](const config::StreamConfig& s) { return s.HasRole(config::Role::kRecord); });
  }
  return false;
}

Status MqttLink::SetSwitch(const std::string& camera, mqtt::Switch what, bool on, const std::string& origin) {
  const Status result =
      what == mqtt::Switch::kMotion
          ? SetMotion(camera, on)
          : UnimplementedError("recording cannot be turned off or on at run time yet; it follows the "
                               "config (docs/ref/mqtt.md)");
  Audit(camera, what, on, origin, result);
  return result;
}

Status MqttLink::SetMotion(const std::string& camera, bool on) {
  RETURN_IF_ERROR(analysis_->SetEnabled(camera, on));
  return index_->SetSetting(MotionSettingName(camera), on ? "on" : "off")
      .WithContext("motion analysis turned " + std::string(on ? "on" : "off") +
                   ", but the index did not keep it across restarts");
}

void MqttLink::Audit(const std::string& camera, mqtt::Switch what, bool on, const std::string& origin,
                     const Status& result) {
  auth::AuditRecord r;
  r.user = "mqtt";
  r.action = std::string(auth::kAuditCameraSwitch);
  r.camera = camera;
  r.remote = "mqtt:" + config_.mqtt->host;
  r.detail = std::string(mqtt::SwitchName(what)) + " " + (on ? "ON" : "OFF") + " from " + origin +
             (result.ok() ? "" : ": " + result.message());
  r.ok = result.ok();
  if (Result<int64_t> id = accounts_->Audit(std::move(r)); !id.ok()) {
    SL_LOG(kError) << "mqtt: cannot audit a command for camera=" << camera << ": " << id.status();
  }
}

}  // namespace sightline::app
