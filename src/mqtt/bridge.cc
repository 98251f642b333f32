#include "mqtt/bridge.h"

#include "mqtt/command.h"

namespace sightline::mqtt {
namespace {

Message Retained(std::string topic, std::string_view payload) {
  return Message{std::move(topic), std::string(payload), /*retain=*/true};
}

}  // namespace

Bridge::Bridge(BridgeOptions options, SwitchHandler* handler)
    : options_(std::move(options)), topics_(options_.topic_prefix), handler_(handler) {
  MutexLock lock(mu_);
  for (const std::string& c : options_.cameras) cameras_[c] = CameraState{};
}

Result<std::unique_ptr<Bridge>> Bridge::Start(BridgeOptions options, SwitchHandler* handler) {
  std::unique_ptr<Bridge> b(new Bridge(std::move(options), handler));
  ClientOptions c = b->options_.client;
  c.will = Retained(b->topics_.Available(), kOffline);
  c.birth = Retained(b->topics_.Available(), kOnline);
  c.goodbye = c.will;
  c.subscriptions.clear();
  if (b->options_.commands) {
    for (Switch s : {Switch::kRecording, Switch::kMotion}) c.subscriptions.push_back(b->topics_.SwitchCommandFilter(s));
  }
  Bridge* raw = b.get();
  c.on_connect = [raw] { raw->OnConnect(); };
  c.on_message = [raw](const std::string& topic, const std::string& payload) { raw->OnMessage(topic, payload); };
  ASSIGN_OR_RETURN(b->client_, Client::Create(std::move(c)));
  // Only now: on_connect (the client's network thread) uses client_.
  RETURN_IF_ERROR(b->client_->Connect());
  return b;
}

Bridge::~Bridge() { Stop(); }

void Bridge::Stop() {
  if (client_ != nullptr) client_->Stop();
}

ClientStats Bridge::client_stats() const { return client_->stats(); }

void Bridge::OnConnect() {
  DiscoveryOptions d;
  d.node_id = DiscoveryId(options_.client.client_id);
  d.commands = options_.commands;
  d.version = options_.version;
  for (const std::string& camera : options_.cameras) {
    for (Message& m : CameraDiscovery(topics_, d, camera)) client_->Publish(std::move(m));
    PublishSwitch(camera, Switch::kRecording);
    PublishSwitch(camera, Switch::kMotion);
  }
  MutexLock lock(mu_);
  for (const auto& [camera, state] : cameras_) {
    if (state.online) client_->Publish(Retained(topics_.Status(camera), *state.online ? kOnline : kOffline));
    if (state.motion) client_->Publish(Retained(topics_.Motion(camera), *state.motion ? kOn : kOff));
  }
}

bool Bridge::Update(const std::string& camera, std::optional<bool> CameraState::*field, bool value) {
  MutexLock lock(mu_);
  auto it = cameras_.find(camera);
  if (it == cameras_.end() || it->second.*field == value) return false;
  it->second.*field = value;
  return true;
}

void Bridge::CameraOnline(const std::string& camera, bool online) {
  if (Update(camera, &CameraState::online, online)) {
    client_->Publish(Retained(topics_.Status(camera), online ? kOnline : kOffline));
  }
}

void Bridge::Motion(const std::string& camera, bool on) {
  if (Update(camera, &CameraState::motion, on)) client_->Publish(Retained(topics_.Motion(camera), on ? kOn : kOff));
}

void Bridge::Event(EventMessage event) {
  event.base_url = options_.base_url;
  client_->Publish(Message{topics_.Events(), EventJson(event), /*retain=*/false});
}

void Bridge::Snapshot(const std::string& camera, Bytes jpeg) {
  if (jpeg.empty()) return;
  client_->Publish(Message{topics_.Snapshot(camera), std::string(jpeg.begin(), jpeg.end()), /*retain=*/true});
}

void Bridge::Stats(const StatsMessage& stats) {
  StatsMessage s = stats;
  s.mqtt_dropped = client_->stats().dropped;
  client_->Publish(Message{topics_.Stats(), StatsJson(s), /*retain=*/false});
}

void Bridge::SwitchChanged(const std::string& camera, Switch what) { PublishSwitch(camera, what); }

void Bridge::PublishSwitch(const std::string& camera, Switch what) {
  client_->Publish(Retained(topics_.SwitchState(camera, what), handler_->SwitchState(camera, what) ? kOn : kOff));
}

void Bridge::LogRefused(const std::string& line) {
  int suppressed = 0;
  if (!refused_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) return;
  SL_LOG(kWarning) << line << (suppressed > 0 ? " (" + std::to_string(suppressed) + " similar suppressed)" : "");
}

void Bridge::OnMessage(const std::string& topic, const std::string& payload) {
  Result<Command> c = ParseCommand(topics_, topic, payload);
  if (!c.ok()) {
    LogRefused(c.status().message() + "; ignored");
    return;
  }
  {
    MutexLock lock(mu_);
    if (!cameras_.contains(c->camera)) {
      LogRefused("mqtt command on topic \"" + Printable(topic) + "\": no camera named \"" + c->camera +
                 "\" in the config; ignored");
      return;
    }
  }
  if (Status s = handler_->SetSwitch(c->camera, c->what, c->on, topic); !s.ok()) {
    LogRefused("mqtt command on topic \"" + Printable(topic) + "\" (" + std::string(c->on ? kOn : kOff) +
               ") refused: " + s.message());
  }
  PublishSwitch(c->camera, c->what);
}

}  // namespace sightline::mqtt
