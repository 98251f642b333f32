#pragma once
// Bridge: what Sightline tells the broker and what it takes from it (docs/ref/mqtt.md).
// Publishes camera status, motion ON/OFF, events, event thumbnails and stats through one
// Client; at every connect re-announces the Home Assistant discovery configs and the last
// known state of every camera (a broker restarted without persistence forgets retained
// messages). Commands on <prefix>/<camera>/{recording,motion}/set go to a SwitchHandler; the
// state is echoed on <prefix>/<camera>/<switch>/state whether the command was applied or not.
//
// Threads: every method from any thread; none waits for the broker. The handler is called
// on the client's network thread.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/logging.h"
#include "base/mutex.h"
#include "base/result.h"
#include "mqtt/client.h"
#include "mqtt/discovery.h"
#include "mqtt/payloads.h"
#include "mqtt/topics.h"

namespace sightline::mqtt {

// The application's side of the switches. `origin` names where the command came from (the
// topic), for the audit log.
class SwitchHandler {
 public:
  virtual ~SwitchHandler() = default;
  // Applies a command for a known camera; an error (e.g. not supported) is logged by the
  // Bridge and the unchanged state echoed.
  virtual Status SetSwitch(const std::string& camera, Switch what, bool on, const std::string& origin) = 0;
  virtual bool SwitchState(const std::string& camera, Switch what) const = 0;
};

struct BridgeOptions {
  ClientOptions client;  // will, birth, goodbye, subscriptions and callbacks are set by Start
  std::string topic_prefix = "sightline";
  bool commands = true;  // subscribe to the command topics
  std::string base_url;  // of thumbnail links in events; empty: paths only
  std::string version;
  std::vector<std::string> cameras;  // in config order
};

class Bridge {
 public:
  // `handler` must outlive the Bridge. Fails only on client options libmosquitto refuses.
  static Result<std::unique_ptr<Bridge>> Start(BridgeOptions options, SwitchHandler* handler);
  ~Bridge();  // Stop()

  void CameraOnline(const std::string& camera, bool online);  // published when it changes
  void Motion(const std::string& camera, bool on);            // published when it changes
  void Event(EventMessage event);
  void Snapshot(const std::string& camera, Bytes jpeg);
  void Stats(const StatsMessage& stats);
  // Publishes a switch's state (after a change that did not come over MQTT, or at start).
  void SwitchChanged(const std::string& camera, Switch what);
  // Publishes offline, drains the queue for a moment, disconnects.
  void Stop();

  ClientStats client_stats() const;
  const Topics& topics() const { return topics_; }

 private:
  struct CameraState {
    std::optional<bool> online;
    std::optional<bool> motion;
  };
  Bridge(BridgeOptions options, SwitchHandler* handler);
  void OnConnect();
  void OnMessage(const std::string& topic, const std::string& payload);
  void PublishSwitch(const std::string& camera, Switch what);
  // Sets `field` to `value`; true when it changed.
  bool Update(const std::string& camera, std::optional<bool> CameraState::*field, bool value);
  void LogRefused(const std::string& line);

  const BridgeOptions options_;
  const Topics topics_;
  SwitchHandler* const handler_;
  LogRateLimiter refused_log_{std::chrono::minutes(1), 10};
  std::unique_ptr<Client> client_;

  mutable Mutex mu_;
  std::map<std::string, CameraState, std::less<>> cameras_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::mqtt
