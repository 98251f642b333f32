#include "onvif/scanner.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sightline::onvif {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using boost::system::error_code;

constexpr uint32_t kMaxRangeHosts = 65536;

Result<asio::ip::address_v4> ParseV4(std::string_view text, std::string_view what) {
  error_code ec;
  asio::ip::address_v4 a = asio::ip::make_address_v4(std::string(text), ec);
  if (ec) return InvalidArgumentError(std::string(what) + " '" + std::string(text.substr(0, 60)) + "' is not an IPv4 address");
  return a;
}

void MergeInto(std::map<std::string, FoundDevice>& found, DiscoveredEndpoint e, const std::string& from) {
  auto [it, inserted] = found.try_emplace(e.address);
  if (inserted) {
    it->second.endpoint = std::move(e);
    it->second.from = from;
    return;
  }
  for (std::string& x : e.xaddrs) {
    auto& have = it->second.endpoint.xaddrs;
    if (std::find(have.begin(), have.end(), x) == have.end() && have.size() < 64) have.push_back(std::move(x));
  }
}

// Sends a Probe to each target (in bursts, `gap` apart) and collects the ProbeMatches that
// relate to it until `timeout` after the last send.
class ProbeRound {
 public:
  ProbeRound(std::vector<udp::endpoint> targets, size_t burst, std::chrono::milliseconds gap,
             std::chrono::milliseconds timeout)
      : targets_(std::move(targets)), burst_(std::max<size_t>(burst, 1)), gap_(gap), timeout_(timeout) {}

  udp::socket& socket() { return socket_; }

  // Opens and binds the socket (callers may set options on it next).
  Status Open() {
    error_code ec;
    socket_.open(udp::v4(), ec);
    if (!ec) socket_.bind(udp::endpoint(asio::ip::address_v4::any(), 0), ec);
    if (ec) return UnavailableError("WS-Discovery: cannot open a UDP socket: " + ec.message());
    return Status::Ok();
  }

  Result<std::vector<FoundDevice>> Collect() {
    Receive();
    SendBurst();
    io_.run();
    if (sent_ == 0 && !targets_.empty()) {
      return UnavailableError("WS-Discovery: no Probe could be sent: " + send_error_.message());
    }
    std::vector<FoundDevice> out;
    for (auto& [address, device] : found_) out.push_back(std::move(device));
    return out;
  }

 private:
  void SendBurst() {
    for (size_t n = 0; n < burst_ && next_ < targets_.size(); ++n, ++next_) {
      error_code ec;
      socket_.send_to(asio::buffer(probe_), targets_[next_], 0, ec);
      if (ec) {
        send_error_ = ec;  // an unreachable address is not the others' problem
      } else {
        ++sent_;
      }
    }
    timer_.expires_after(next_ < targets_.size() ? gap_ : timeout_);
    timer_.async_wait([this](error_code ec) {
      if (ec) return;
      if (next_ < targets_.size()) return SendBurst();
      error_code ignored;
      socket_.close(ignored);
    });
  }

  void Receive() {
    socket_.async_receive_from(asio::buffer(buffer_), from_, [this](error_code ec, size_t n) {
      if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
      if (!ec) {
        Result<DiscoveryMessage> m = ParseDiscoveryMessage(std::string_view(buffer_.data(), n), message_id_);
        if (m.ok() && m->kind == DiscoveryKind::kProbeMatches) {
          for (DiscoveredEndpoint& e : m->endpoints) MergeInto(found_, std::move(e), from_.address().to_string());
        }
      }
      Receive();
    });
  }

  std::vector<udp::endpoint> targets_;
  size_t burst_;
  std::chrono::milliseconds gap_;
  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  udp::socket socket_{io_};
  asio::steady_timer timer_{io_};
  std::array<char, kMaxDatagramBytes> buffer_{};
  udp::endpoint from_;
  std::string message_id_ = NewMessageId();
  std::string probe_ = BuildProbe(message_id_);
  size_t next_ = 0;
  size_t sent_ = 0;
  error_code send_error_;
  std::map<std::string, FoundDevice> found_;
};

Result<std::vector<udp::endpoint>> RangeTargets(std::string_view cidr, uint16_t port) {
  error_code ec;
  asio::ip::network_v4 net = asio::ip::make_network_v4(std::string(cidr), ec);
  if (ec) {
    return InvalidArgumentError("range '" + std::string(cidr.substr(0, 60)) + "' is not an IPv4 CIDR (like 192.168.7.0/24)");
  }
  if (net.network() != net.address()) {
    return InvalidArgumentError("range '" + std::string(cidr) + "' has bits set beyond its prefix (meant " +
                                net.canonical().to_string() + "?)");
  }
  const uint64_t size = uint64_t{1} << (32 - net.prefix_length());
  if (size > kMaxRangeHosts) {
    return InvalidArgumentError("range '" + std::string(cidr) + "' has " + std::to_string(size) +
                                " addresses, over the limit of " + std::to_string(kMaxRangeHosts) + " (a /16)");
  }
  std::vector<udp::endpoint> out;
  // /31 and /32 have no network or broadcast address to leave out (RFC 3021).
  const uint32_t first = net.network().to_uint();
  const uint32_t last = first + static_cast<uint32_t>(size - 1);
  const bool all = net.prefix_length() >= 31;
  for (uint64_t a = first + (all ? 0 : 1); a <= last - (all ? 0 : 1); ++a) {
    out.emplace_back(asio::ip::address_v4(static_cast<uint32_t>(a)), port);
  }
  return out;
}

}  // namespace

Result<std::vector<FoundDevice>> MulticastProbe(const ScanOptions& options) {
  ASSIGN_OR_RETURN(asio::ip::address_v4 group, ParseV4(options.multicast_address, "multicast address"));
  const udp::endpoint target(group, options.port);
  ProbeRound round({target, target}, 1, std::chrono::milliseconds(100), options.timeout);
  RETURN_IF_ERROR(round.Open());
  error_code ec;
  // SOAP-over-UDP: multicast with a TTL of 1 (the site's LAN only).
  round.socket().set_option(asio::ip::multicast::hops(1), ec);
  if (!options.interface_address.empty()) {
    ASSIGN_OR_RETURN(asio::ip::address_v4 iface, ParseV4(options.interface_address, "interface address"));
    round.socket().set_option(asio::ip::multicast::outbound_interface(iface), ec);
    if (ec) return UnavailableError("WS-Discovery: cannot send multicast from " + options.interface_address + ": " + ec.message());
  }
  return round.Collect();
}

Result<std::vector<FoundDevice>> UnicastProbe(std::string_view cidr, const ScanOptions& options) {
  ASSIGN_OR_RETURN(std::vector<udp::endpoint> targets, RangeTargets(cidr, options.port));
  ProbeRound round(std::move(targets), options.burst, std::chrono::milliseconds(10), options.timeout);
  RETURN_IF_ERROR(round.Open());
  return round.Collect();
}

Result<std::vector<Announcement>> ListenForAnnouncements(std::chrono::milliseconds duration,
                                                         const ScanOptions& options) {
  ASSIGN_OR_RETURN(asio::ip::address_v4 group, ParseV4(options.multicast_address, "multicast address"));
  asio::ip::address_v4 iface = asio::ip::address_v4::any();
  if (!options.interface_address.empty()) {
    ASSIGN_OR_RETURN(iface, ParseV4(options.interface_address, "interface address"));
  }
  asio::io_context io;
  udp::socket socket(io);
  error_code ec;
  socket.open(udp::v4(), ec);
  if (!ec) socket.set_option(udp::socket::reuse_address(true), ec);
  if (!ec) socket.bind(udp::endpoint(asio::ip::address_v4::any(), options.port), ec);
  if (ec) return UnavailableError("WS-Discovery: cannot listen on UDP port " + std::to_string(options.port) + ": " + ec.message());
  socket.set_option(asio::ip::multicast::join_group(group, iface), ec);
  if (ec) return UnavailableError("WS-Discovery: cannot join " + group.to_string() + ": " + ec.message());

  std::vector<Announcement> heard;
  std::array<char, kMaxDatagramBytes> buffer{};
  udp::endpoint from;
  std::function<void()> receive = [&] {
    socket.async_receive_from(asio::buffer(buffer), from, [&](error_code rec, size_t n) {
      if (rec == asio::error::operation_aborted || !socket.is_open()) return;
      Result<DiscoveryMessage> m = rec ? Result<DiscoveryMessage>(UnavailableError(rec.message()))
                                       : ParseDiscoveryMessage(std::string_view(buffer.data(), n));
      if (m.ok() && m->kind != DiscoveryKind::kProbeMatches && heard.size() < 4096) {
        for (DiscoveredEndpoint& e : m->endpoints) heard.push_back({m->kind, std::move(e), from.address().to_string()});
      }
      receive();
    });
  };
  receive();
  asio::steady_timer timer(io);
  timer.expires_after(duration);
  timer.async_wait([&](error_code) {
    error_code ignored;
    socket.close(ignored);
  });
  io.run();
  return heard;
}

}  // namespace sightline::onvif
