#include "tools/camsim/discovery_responder.h"

#include <random>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/logging.h"
#include "onvif/discovery.h"

namespace sightline::camsim {


namespace asio = boost::asio;
using asio::ip::udp;

struct DiscoveryState {
  DiscoveryState(asio::io_context& io) : socket(io) {}

  udp::socket socket;
  DiscoveryResponder::Options options;
  std::vector<DiscoveryTarget> targets;
  std::mt19937_64 rng;
  AppSequence seq;
  bool stopped = false;

  AppSequence Next() {
    AppSequence s = seq;
    ++seq.message_number;
    return s;
  }
  void SendToGroup(const std::string& message) {
    boost::system::error_code ec;
    socket.send_to(asio::buffer(message),
                   udp::endpoint(asio::ip::make_address_v4(kDiscoveryGroup), options.port), 0, ec);
    if (ec) {
      SL_LOG(kWarning) << "camsim ws-discovery: send to group: " << ec.message();
    }
  }
};

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> AnswerLater(std::shared_ptr<DiscoveryState> state, size_t target,
                                  udp::endpoint to, std::string relates_to) {
  const auto max = state->options.max_delay.count();
  std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(max, 0));
  asio::steady_timer timer(state->socket.get_executor(), std::chrono::milliseconds(delay(state->rng)));
  co_await timer.async_wait(kUseTuple);
  if (state->stopped) co_return;
  const std::string answer = ProbeMatchesXml(state->targets[target], relates_to,
                                             onvif::NewMessageId(), state->Next());
  co_await state->socket.async_send_to(asio::buffer(answer), to, kUseTuple);
}

asio::awaitable<void> ReceiveLoop(std::shared_ptr<DiscoveryState> state) {
  std::vector<char> buffer(64 * 1024);
  while (!state->stopped) {
    udp::endpoint from;
    auto [ec, n] =
        co_await state->socket.async_receive_from(asio::buffer(buffer), from, kUseTuple);
    if (state->stopped || ec == asio::error::operation_aborted) break;
    if (ec) continue;
    Result<DiscoveryProbe> probe = ParseProbe(std::string_view(buffer.data(), n));
    if (!probe.ok()) {
      // Our own Hello/Bye come back (multicast loop), and other devices' announcements.
      if (probe.status().code() != StatusCode::kNotFound) {
        SL_LOG(kDebug) << "camsim ws-discovery: from " << from << ": " << probe.status().message();
      }
      continue;
    }
    size_t matched = 0;
    for (size_t i = 0; i < state->targets.size(); ++i) {
      if (!ProbeMatches(*probe, state->targets[i])) continue;
      ++matched;
      asio::co_spawn(state->socket.get_executor(), AnswerLater(state, i, from, probe->message_id),
                     asio::detached);
    }
    SL_LOG(kDebug) << "camsim ws-discovery: probe from " << from << " matched " << matched;
  }
}

}  // namespace

Result<std::unique_ptr<DiscoveryResponder>> DiscoveryResponder::Start(
    asio::io_context& io, Options options, std::vector<DiscoveryTarget> targets) {
  boost::system::error_code ec;
  const asio::ip::address_v4 iface = asio::ip::make_address_v4(options.interface_address, ec);
  if (ec || iface.is_unspecified()) {
    return InvalidArgumentError("WS-Discovery needs the IPv4 address of an interface, not '" +
                                options.interface_address + "'");
  }
  auto state = std::make_shared<DiscoveryState>(io);
  state->options = std::move(options);
  state->targets = std::move(targets);
  state->rng.seed(state->options.seed != 0 ? state->options.seed : std::random_device()());
  state->seq.instance_id = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  udp::socket& s = state->socket;
  // Bound to any address: on Linux a socket bound to a unicast address gets no multicast.
  const udp::endpoint any(asio::ip::address_v4::any(), state->options.port);
  s.open(udp::v4(), ec);
  if (!ec) s.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.bind(any, ec);
  if (!ec) {
    s.set_option(asio::ip::multicast::join_group(asio::ip::make_address_v4(kDiscoveryGroup), iface),
                 ec);
  }
  if (!ec) s.set_option(asio::ip::multicast::outbound_interface(iface), ec);
  if (ec) {
    return UnavailableError("WS-Discovery on " + iface.to_string() + ":" +
                            std::to_string(state->options.port) + ": " + ec.message());
  }
  for (const DiscoveryTarget& t : state->targets) {
    state->SendToGroup(HelloXml(t, onvif::NewMessageId(), state->Next()));
  }
  asio::co_spawn(io, ReceiveLoop(state), asio::detached);
  SL_LOG(kInfo) << "camsim: WS-Discovery for " << state->targets.size() << " devices on "
                << iface.to_string() << " (group " << kDiscoveryGroup << ":"
                << state->options.port << ")";
  return std::make_unique<DiscoveryResponder>(std::move(state));
}

DiscoveryResponder::DiscoveryResponder(std::shared_ptr<DiscoveryState> state)
    : state_(std::move(state)) {}

DiscoveryResponder::~DiscoveryResponder() = default;

void DiscoveryResponder::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  for (const DiscoveryTarget& t : state_->targets) {
    state_->SendToGroup(ByeXml(t, onvif::NewMessageId(), state_->Next()));
  }
  boost::system::error_code ec;
  state_->socket.close(ec);
}

}  // namespace sightline::camsim
