#include "app/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "base/logging.h"

namespace sightline::app {

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && socket[0] != '\0';
  if (!enabled_) return;
  uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is this process.
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec);
    // The pings come from the once-a-second supervise timer; systemd advises pinging at half
    // the interval, so anything under 2 s would restart a healthy daemon.
    if (usec < 2'000'000) {
      SL_LOG(kWarning) << "systemd: WatchdogSec=" << usec / 1000 << "ms is below 2s; pings come every second";
    }
  }
  SL_LOG(kInfo) << "systemd: notifying " << socket << ", watchdog "
                << (watchdog_enabled() ? std::to_string(usec / 1000) + "ms" : std::string("off"));
}

void ServiceNotifier::Ready(std::string_view status) {
  Send("READY=1\nSTATUS=" + std::string(status));
}

void ServiceNotifier::Watchdog() {
  if (watchdog_enabled()) Send("WATCHDOG=1");
}

void ServiceNotifier::Stopping() { Send("STOPPING=1\nSTATUS=stopping: closing segments"); }

void ServiceNotifier::Send(std::string_view state) {
  if (!enabled_) return;
  const int r = sd_notify(/*unset_environment=*/0, std::string(state).c_str());
  if (r < 0 && !warned_.exchange(true)) {
    SL_LOG(kWarning) << "systemd: sd_notify: " << std::strerror(-r) << " (later failures are not logged)";
  }
}

}  // namespace sightline::app
