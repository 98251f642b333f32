#pragma once
// ServiceNotifier: what `sightline run` tells the service manager that started it, over
// systemd's notify protocol (sd_notify(3)): READY=1 with a one-line STATUS= once it serves,
// WATCHDOG=1 pings from its event loop (so a hung loop gets the service restarted), and
// STOPPING=1 when it is asked to stop. Started any other way (no NOTIFY_SOCKET in the
// environment) every call does nothing, so the daemon runs the same by hand, in tests and
// under other supervisors. Thread-safe: each call sends one datagram and keeps no state but
// what the constructor read.

#include <atomic>
#include <chrono>
#include <string_view>

namespace sightline::app {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once. They stay in the environment:
  // `sightline run` starts no programs that could mistake them for their own.
  ServiceNotifier();

  // Whether systemd asked for watchdog pings (WatchdogSec= in the unit).
  bool watchdog_enabled() const { return watchdog_interval_.count() > 0; }

  // READY=1 with STATUS=`status`, the line `systemctl status` shows: startup is over
  // (`systemctl start` returns).
  void Ready(std::string_view status);
  // WATCHDOG=1 when the watchdog is on; nothing otherwise.
  void Watchdog();
  // STOPPING=1: shutdown has begun (closing segments may take a few seconds).
  void Stopping();

 private:
  void Send(std::string_view state);

  bool enabled_ = false;
  std::chrono::microseconds watchdog_interval_{0};
  std::atomic<bool> warned_{false};  // a failed send is logged once
};

}  // namespace sightline::app
