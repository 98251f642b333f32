// delay_proxy: the multi-site test bed's latency (README.md). Forwards TCP connections from
// --listen to --to, delaying every chunk by --delay-ms each way. SIGUSR1 stalls it (nothing
// is passed on, connections stay open), SIGUSR2 resumes; SIGINT/SIGTERM end it. Prints
// "listening on PORT" once it accepts, and "stalled"/"resumed" when told.

#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "base/flags.h"
#include "tools/delay_proxy/delay_proxy.h"

namespace {

constexpr const char* kUsage =
    "usage: delay_proxy --listen HOST:PORT --to HOST:PORT [--delay-ms N] [--max-queue-bytes N]\n"
    "  Forwards TCP from --listen (port 0: a free one) to --to, adding N ms each way.\n"
    "  SIGUSR1 stalls, SIGUSR2 resumes, SIGINT/SIGTERM stop.\n";

bool SplitHostPort(const std::string& s, std::string* host, uint16_t* port) {
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  *host = s.substr(0, colon);
  try {
    const int p = std::stoi(s.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    *port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sightline;
  Result<Flags> flags = Flags::Parse({{"listen"}, {"to"}, {"delay-ms"}, {"max-queue-bytes"}}, argc, argv, 1);
  if (!flags.ok() || flags->help()) {
    if (!flags.ok()) std::cerr << "delay_proxy: " << flags.status() << "\n";
    std::cerr << kUsage;
    return flags.ok() ? 0 : 2;
  }
  delay_proxy::Options options;
  Result<int64_t> delay_ms = flags->GetInt("delay-ms", 0);
  Result<int64_t> max_queue = flags->GetInt("max-queue-bytes", 1 << 20);
  if (!SplitHostPort(flags->Get("listen"), &options.listen_host, &options.listen_port) ||
      !SplitHostPort(flags->Get("to"), &options.target_host, &options.target_port) || options.target_port == 0 ||
      !delay_ms.ok() || *delay_ms < 0 || !max_queue.ok() || *max_queue < 1) {
    std::cerr << kUsage;
    return 2;
  }
  options.one_way_delay = std::chrono::milliseconds(*delay_ms);
  options.max_queued_bytes = static_cast<size_t>(*max_queue);

  boost::asio::io_context io;
  Result<std::unique_ptr<delay_proxy::DelayProxy>> proxy = delay_proxy::DelayProxy::Start(io, options);
  if (!proxy.ok()) {
    std::cerr << proxy.status() << "\n";
    return 1;
  }
  boost::asio::signal_set control(io, SIGUSR1, SIGUSR2);
  std::function<void(const boost::system::error_code&, int)> on_control = [&](const boost::system::error_code& ec,
                                                                                int signal) {
    if (ec) return;
    (*proxy)->SetStalled(signal == SIGUSR1);
    std::cout << (signal == SIGUSR1 ? "stalled" : "resumed") << std::endl;
    control.async_wait(on_control);
  };
  control.async_wait(on_control);
  boost::asio::signal_set stop(io, SIGINT, SIGTERM);
  stop.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  std::cout << "listening on " << (*proxy)->port() << std::endl;
  io.run();
  const delay_proxy::Stats s = (*proxy)->stats();
  std::cout << "delay_proxy: connections=" << s.connections << " bytes_up=" << s.bytes_up
            << " bytes_down=" << s.bytes_down << std::endl;
  return 0;
}
