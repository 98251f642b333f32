#pragma once
// MqttLink: the wiring between `sightline run` and MQTT (docs/ref/mqtt.md). It feeds the
// mqtt::Bridge with the cameras' status (every Supervise), their motion events and thumbnails
// (as the analysis reports them), and stats (every minute), and it is the Bridge's
// SwitchHandler: a motion command turns the camera's analysis off or on, keeps that in the
// index (so it survives a restart) and audits it; a recording command is refused, because
// recording cannot yet be switched at run time (docs/design/mqtt.md, "Not built").
//
// Threads: Open, Start and Stop on the main thread; Supervise on the io_context; the observer
// from the analysers' threads; the SwitchHandler from libmosquitto's thread.

#include <map>
#include <memory>
#include <string>

#include "app/motion_analysis.h"
#include "app/site.h"
#include "auth/account_store.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "config/config.h"
#include "mqtt/bridge.h"
#include "store/index.h"

namespace sightline::app {

// Stats go out this often (Frigate's interval), and once at start.
inline constexpr std::chrono::seconds kMqttStatsInterval{60};

class MqttLink : public MotionAnalysis::Observer, public mqtt::SwitchHandler {
 public:
  // Opens its own connection to the index (for the switches' saved state). `config`,
  // `accounts` and `clock` must outlive the link.
  static Result<std::unique_ptr<MqttLink>> Open(const config::Config& config, auth::AccountStore* accounts,
                                                const Clock& clock);
  ~MqttLink() override;

  // Applies the saved switches to `analysis` (before frames flow), then connects in the
  // background. Both must outlive the link.
  Status Start(MotionAnalysis* analysis, const Site* site);
  // Once a second: camera status; every kMqttStatsInterval: stats.
  void Supervise();
  // Publishes offline and disconnects (after the analysis stopped, so that its last events
  // go out first).
  void Stop();

  void OnMotionEvent(const std::string& camera, int64_t id, const store::MotionEventUpdate& update) override;
  Status SetSwitch(const std::string& camera, mqtt::Switch what, bool on, const std::string& origin) override;
  bool SwitchState(const std::string& camera, mqtt::Switch what) const override;

 private:
  MqttLink(const config::Config& config, auth::AccountStore* accounts, const Clock& clock,
           std::unique_ptr<store::Index> index);
  Status ApplySavedSwitches();
  Status SetMotion(const std::string& camera, bool on);
  void Audit(const std::string& camera, mqtt::Switch what, bool on, const std::string& origin, const Status& result);
  mqtt::StatsMessage CollectStats() const;

  const config::Config& config_;
  auth::AccountStore* const accounts_;
  const Clock& clock_;
  const int64_t started_us_;
  std::unique_ptr<store::Index> index_;  // used by Start, then by libmosquitto's thread only
  MotionAnalysis* analysis_ = nullptr;
  const Site* site_ = nullptr;
  std::unique_ptr<mqtt::Bridge> bridge_;
  MonoTime last_stats_{};  // Supervise's
  EventPhases phases_;
};

}  // namespace sightline::app
