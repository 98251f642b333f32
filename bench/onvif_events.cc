// The CPU and memory of N ONVIF event subscriptions (issue 15): one onvif::EventSubscriber per
// camera, as `sightline run` keeps them (a thread each, 10 s long polls), against camsim's
// Events service. bench/onvif_events.py starts camsim and this program and prints the table;
// this program prints one line of JSON.
//
//   usage: bench_onvif_events --base http://127.0.0.1:PORT/onvif/ --cameras N [--digits D]
//          [--seconds S] [--user U --password P]
// Camera i is BASE + "cam" + i (zero-padded to D digits) + "/device_service".

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "onvif/event_subscriber.h"

namespace sightline::bench {
namespace {

struct Args {
  std::string base;
  int cameras = 100;
  int digits = 0;
  int seconds = 60;
  std::string user, password;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--base") a.base = v;
    else if (k == "--cameras") a.cameras = std::atoi(v.c_str());
    else if (k == "--digits") a.digits = std::atoi(v.c_str());
    else if (k == "--seconds") a.seconds = std::atoi(v.c_str());
    else if (k == "--user") a.user = v;
    else if (k == "--password") a.password = v;
  }
  if (a.base.empty() || a.cameras <= 0 || a.seconds <= 0) {
    std::fprintf(stderr, "usage: bench_onvif_events --base URL --cameras N [--digits D] [--seconds S]\n");
    std::exit(2);
  }
  return a;
}

double CpuOfProcess() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Resident set now (VmRSS), in MiB.
double RssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

int Main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  std::atomic<uint64_t> signals{0};
  std::atomic<int> subscribed{0};
  std::atomic<int> failures_shown{0};
  auto cancellation = std::make_shared<onvif::Cancellation>();
  std::vector<std::unique_ptr<onvif::EventSubscriber>> subscribers;
  for (int i = 0; i < args.cameras; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "cam%0*d", args.digits, i);
    Result<onvif::HttpUrl> url = onvif::ParseHttpUrl(args.base + name + "/device_service");
    if (!url.ok()) {
      std::fprintf(stderr, "%s\n", url.status().message().c_str());
      return 2;
    }
    onvif::EventSubscriberOptions o;
    o.client.credentials = {args.user, args.password};
    o.client.cancellation = cancellation;
    onvif::EventSubscriber::Callbacks cb;
    cb.on_pull = [&signals](const std::vector<std::pair<onvif::CameraSignal, WallTime>>& s, WallTime) {
      signals += s.size();
    };
    cb.on_session = [&subscribed, &failures_shown](const Status& s) {
      subscribed += s.ok() ? 1 : 0;
      // The first few reasons, for whoever reads a run with failures.
      if (!s.ok() && failures_shown++ < 5) std::fprintf(stderr, "bench_onvif_events: %s\n", s.message().c_str());
    };
    subscribers.push_back(std::make_unique<onvif::EventSubscriber>(*url, o, std::move(cb)));
  }
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuOfProcess();
  std::vector<std::thread> threads;
  for (auto& s : subscribers) threads.emplace_back([p = s.get()] { p->Run(); });
  // Setting up (clock, services, subscription) is counted apart from the steady state.
  while (subscribed.load() < args.cameras && std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double setup_s = Ms(std::chrono::steady_clock::now() - start) / 1000;
  const double cpu_setup = CpuOfProcess() - cpu_start;
  const uint64_t signals_before = signals.load();
  const double cpu_before = CpuOfProcess();
  std::this_thread::sleep_for(std::chrono::seconds(args.seconds));
  const double cpu_steady = CpuOfProcess() - cpu_before;
  const uint64_t steady_signals = signals.load() - signals_before;
  const double rss = RssMiB();
  uint64_t pulls = 0, failures = 0;
  for (auto& s : subscribers) {
    pulls += s->stats().pulls;
    failures += s->stats().failures;
  }
  const auto stop_start = std::chrono::steady_clock::now();
  cancellation->Cancel();
  for (std::thread& t : threads) t.join();
  std::printf(
      "{\"cameras\": %d, \"subscribed\": %d, \"setup_s\": %.2f, \"setup_cpu_s\": %.2f, \"seconds\": %d, "
      "\"cpu_s\": %.3f, \"cpu_percent\": %.2f, \"signals\": %llu, \"pulls\": %llu, \"failures\": %llu, "
      "\"rss_mib\": %.1f, \"stop_s\": %.2f}\n",
      args.cameras, subscribed.load(), setup_s, cpu_setup, args.seconds, cpu_steady,
      100.0 * cpu_steady / args.seconds, static_cast<unsigned long long>(steady_signals),
      static_cast<unsigned long long>(pulls), static_cast<unsigned long long>(failures), rss,
      Ms(std::chrono::steady_clock::now() - stop_start) / 1000);
  return 0;
}

}  // namespace
}  // namespace sightline::bench

int main(int argc, char** argv) { return sightline::bench::Main(argc, argv); }
