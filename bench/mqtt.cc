// bench_mqtt: what MQTT costs Sightline with 1000 cameras (issue 14: under 1 % of a core),
// against Debian's mosquitto started here on a free port. The load is what `sightline run`
// publishes, at a generous rate: every second each camera's status (published on change only,
// as MqttLink does); every minute the stats of all cameras in one message; and per camera one
// motion event a minute (motion ON, event new with its thumbnail, event end, motion OFF). Every
// message goes through mqtt::Bridge and its Client at QoS 1, so the figure includes building
// the JSON, the queue, the sender thread and libmosquitto's thread. The CPU of this process
// (getrusage) and of the broker (/proc) is divided by the wall time.
//
//   build/release/bench/bench_mqtt [--cameras 1000] [--seconds 60] [--thumbnail-bytes 20000]

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "base/flags.h"
#include "mqtt/bridge.h"
#include "mqtt_harness.h"
#include "store/store_test_util.h"

namespace sightline::bench {
namespace {

using namespace std::chrono_literals;

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// utime + stime of another process, from /proc/PID/stat (fields 14 and 15, in clock ticks).
double ChildCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The switches as MqttLink reports them: all on.
class AllOn : public mqtt::SwitchHandler {
 public:
  Status SetSwitch(const std::string&, mqtt::Switch, bool, const std::string&) override { return Status(); }
  bool SwitchState(const std::string&, mqtt::Switch) const override { return true; }
};

struct Load {
  int cameras = 1000;
  int seconds = 60;
  size_t thumbnail_bytes = 20000;
};

// One second of `sightline run`'s publishing for every camera; `second` counts from 0.
void PublishSecond(mqtt::Bridge& bridge, const Load& load, int second, const Bytes& jpeg, int64_t* next_id) {
  const int64_t now_us = UnixMicros(std::chrono::system_clock::now());
  for (int c = 0; c < load.cameras; ++c) {
    const std::string name = "cam" + std::to_string(c);
    bridge.CameraOnline(name, true);
    // Each camera's event starts in its own second of the minute and lasts 10 s.
    const int phase = (second + c) % 60;
    if (phase == 0) {
      bridge.Motion(name, true);
      bridge.Event({.type = mqtt::EventType::kNew, .id = ++*next_id, .camera = name, .zones = {"door"},
                    .start_us = now_us});
      bridge.Snapshot(name, jpeg);
    } else if (phase == 10) {
      bridge.Event({.type = mqtt::EventType::kEnd, .id = *next_id, .camera = name, .zones = {"door"},
                    .start_us = now_us - 10'000'000, .end_us = now_us});
      bridge.Motion(name, false);
    }
  }
  if (second % 60 == 0) {
    mqtt::StatsMessage s;
    s.uptime_s = second;
    for (int c = 0; c < load.cameras; ++c) {
      s.cameras.push_back({.name = "cam" + std::to_string(c), .online = true, .fps = 10, .kbit_s = 4000});
    }
    s.disks.push_back({"/var/lib/sightline", 1ull << 40});
    bridge.Stats(s);
  }
}

int Main(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"cameras"}, {"seconds"}, {"thumbnail-bytes"}}, argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", flags.status().ToString().c_str());
    return 2;
  }
  Load load;
  load.cameras = static_cast<int>(*flags->GetInt("cameras", 1000));
  load.seconds = static_cast<int>(*flags->GetInt("seconds", 60));
  load.thumbnail_bytes = static_cast<size_t>(*flags->GetInt("thumbnail-bytes", 20000));

  store::testing::TempDir tmp;
  const int port = testing::FreePort();
  auto broker = testing::StartBroker({.port = port, .dir = tmp.path()});
  if (!broker.ok()) {
    std::fprintf(stderr, "bench_mqtt: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  AllOn handler;
  mqtt::BridgeOptions o;
  o.client.port = port;
  o.client.max_queue = 100000;
  for (int c = 0; c < load.cameras; ++c) o.cameras.push_back("cam" + std::to_string(c));
  auto bridge = mqtt::Bridge::Start(o, &handler);
  if (!bridge.ok()) return 1;
  while (!(*bridge)->client_stats().connected) std::this_thread::sleep_for(10ms);
  // Discovery (7 configs per camera) goes out at connect: let it finish before measuring.
  while ((*bridge)->client_stats().queue > 0) std::this_thread::sleep_for(10ms);

  Bytes jpeg(load.thumbnail_bytes, 0x55);
  jpeg[0] = 0xFF;
  jpeg[1] = 0xD8;
  const mqtt::ClientStats before = (*bridge)->client_stats();
  const double cpu0 = ProcessCpuSeconds();
  const double broker0 = ChildCpuSeconds((*broker)->pid());
  const auto t0 = std::chrono::steady_clock::now();
  int64_t next_id = 0;
  for (int s = 0; s < load.seconds; ++s) {
    PublishSecond(**bridge, load, s, jpeg, &next_id);
    std::this_thread::sleep_until(t0 + std::chrono::seconds(s + 1));
  }
  while ((*bridge)->client_stats().queue > 0 || (*bridge)->client_stats().acked < (*bridge)->client_stats().sent) {
    std::this_thread::sleep_for(10ms);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = ProcessCpuSeconds() - cpu0;
  const double broker_cpu = ChildCpuSeconds((*broker)->pid()) - broker0;
  const mqtt::ClientStats after = (*bridge)->client_stats();
  const uint64_t messages = after.sent - before.sent;

  std::printf("bench_mqtt: %d cameras, %d s, one event per camera per minute, %zu-byte thumbnails\n\n",
              load.cameras, load.seconds, load.thumbnail_bytes);
  std::printf("| process | messages | messages/s | CPU s | CPU %% of one core | dropped |\n|---|---:|---:|---:|---:|---:|\n");
  std::printf("| Sightline's publishing (Bridge + Client + libmosquitto) | %llu | %.0f | %.3f | %.2f | %llu |\n",
              static_cast<unsigned long long>(messages), static_cast<double>(messages) / wall, cpu, 100 * cpu / wall,
              static_cast<unsigned long long>(after.dropped));
  std::printf("| mosquitto broker (peer, no subscribers) | %llu | %.0f | %.3f | %.2f | |\n",
              static_cast<unsigned long long>(messages), static_cast<double>(messages) / wall, broker_cpu,
              100 * broker_cpu / wall);
  std::printf("\ntarget: Sightline under 1 %% of a core: %s\n", 100 * cpu / wall < 1 ? "met" : "NOT met");
  (*bridge)->Stop();
  return 0;
}

}  // namespace
}  // namespace sightline::bench

int main(int argc, char** argv) { return sightline::bench::Main(argc, argv); }
