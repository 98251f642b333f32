#include "tools/camsim/udp_sink.h"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sightline::camsim {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

Result<udp::socket> BindUdp(asio::any_io_executor ex, const asio::ip::address& local,
                            uint16_t port) {
  udp::socket s(ex);
  boost::system::error_code ec;
  s.open(local.is_v6() ? udp::v6() : udp::v4(), ec);
  if (!ec) s.bind(udp::endpoint(local, port), ec);
  if (!ec) s.non_blocking(true, ec);
  if (ec)
    return UnavailableError("UDP bind " + local.to_string() + ":" + std::to_string(port) + ": " +
                            ec.message());
  return s;
}

}  // namespace

UdpSink::UdpSink(udp::socket rtp, udp::socket rtcp, udp::endpoint client_rtp,
                 udp::endpoint client_rtcp, std::function<void()> on_close,
                 std::function<void()> on_rtcp)
    : rtp_(std::move(rtp)),
      rtcp_(std::move(rtcp)),
      client_rtp_(client_rtp),
      client_rtcp_(client_rtcp),
      on_close_(std::move(on_close)),
      on_rtcp_(std::move(on_rtcp)) {
  boost::system::error_code ec;
  rtp_port_ = rtp_.local_endpoint(ec).port();
  rtcp_port_ = rtcp_.local_endpoint(ec).port();
}

Result<std::unique_ptr<UdpSink>> UdpSink::Open(asio::any_io_executor ex,
                                               const asio::ip::address& local,
                                               udp::endpoint client_rtp, udp::endpoint client_rtcp,
                                               std::function<void()> on_close,
                                               std::function<void()> on_rtcp) {
  // RFC 3550 section 11: RTP on an even port, RTCP on the next odd one. Try a few ephemeral
  // ports; fall back to any two ports (the Transport header still names both).
  for (int attempt = 0; attempt < 8; ++attempt) {
    ASSIGN_OR_RETURN(udp::socket rtp, BindUdp(ex, local, 0));
    boost::system::error_code ec;
    const uint16_t port = rtp.local_endpoint(ec).port();
    if (ec || port % 2 != 0 || port == 65534) continue;
    Result<udp::socket> rtcp = BindUdp(ex, local, static_cast<uint16_t>(port + 1));
    if (!rtcp.ok()) continue;
    return std::make_unique<UdpSink>(std::move(rtp), std::move(*rtcp), client_rtp, client_rtcp,
                                     std::move(on_close), std::move(on_rtcp));
  }
  ASSIGN_OR_RETURN(udp::socket rtp, BindUdp(ex, local, 0));
  ASSIGN_OR_RETURN(udp::socket rtcp, BindUdp(ex, local, 0));
  return std::make_unique<UdpSink>(std::move(rtp), std::move(rtcp), client_rtp, client_rtcp,
                                   std::move(on_close), std::move(on_rtcp));
}

void UdpSink::StartRtcpReader(std::shared_ptr<void> owner) {
  asio::co_spawn(
      rtcp_.get_executor(),
      [this, owner]() -> asio::awaitable<void> {
        std::array<uint8_t, 1500> buf;
        udp::endpoint from;
        for (;;) {
          auto [ec, n] = co_await rtcp_.async_receive_from(asio::buffer(buf), from,
                                                           asio::as_tuple(asio::use_awaitable));
          if (ec == asio::error::operation_aborted || !rtcp_.is_open()) break;
          if (!ec) on_rtcp_();
        }
      },
      asio::detached);
}

void UdpSink::CloseSockets() {
  boost::system::error_code ec;
  rtp_.close(ec);
  rtcp_.close(ec);
}

void UdpSink::SendDatagram(udp::socket& s, const udp::endpoint& to, ByteSpan a, ByteSpan b) {
  const std::array<asio::const_buffer, 2> bufs = {asio::buffer(a.data(), a.size()),
                                                  asio::buffer(b.data(), b.size())};
  boost::system::error_code ec;
  s.send_to(bufs, to, 0, ec);
  // would_block, ENOBUFS, or an ICMP error from an earlier datagram: a lost datagram, as on
  // a real network.
  if (ec) ++dropped_;
}

asio::awaitable<bool> UdpSink::SendRtp(std::span<OutPacket> packets) {
  if (!rtp_.is_open()) co_return false;
  for (const OutPacket& p : packets) {
    SendDatagram(rtp_, client_rtp_, ByteSpan(p.slot + kSlotPrefix, p.header_size), p.payload);
  }
  co_return true;
}

asio::awaitable<bool> UdpSink::SendRtcp(ByteSpan packet) {
  if (!rtcp_.is_open()) co_return false;
  SendDatagram(rtcp_, client_rtcp_, packet, {});
  co_return true;
}

asio::awaitable<bool> UdpSink::SendGarbage(ByteSpan bytes) {
  if (!rtp_.is_open()) co_return false;
  SendDatagram(rtp_, client_rtp_, bytes, {});
  co_return true;
}

asio::awaitable<bool> UdpSink::SendStray(uint8_t, ByteSpan) {
  co_return rtp_.is_open();  // interleaved channels do not exist over UDP
}

}  // namespace sightline::camsim
