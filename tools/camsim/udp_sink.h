#pragma once
// UdpSink: RTP and RTCP over UDP (RFC 2326 section 12.39, client_port/server_port) for one
// session: a pair of server sockets, RTP on an even port and RTCP on the next one when the
// kernel lets us have them. Sends never block: a datagram the socket cannot take now is
// dropped, as a camera's network stack would. Reads the client's RTCP to keep the session
// alive. Owned by its Connection; io thread only.

#include <functional>
#include <memory>

#include <boost/asio/ip/udp.hpp>

#include "base/result.h"
#include "tools/camsim/streamer.h"

namespace sightline::camsim {

class UdpSink : public PacketSink {
 public:
  // `on_close` runs for the drop fault; `on_rtcp` for each datagram from the client.
  static Result<std::unique_ptr<UdpSink>> Open(boost::asio::any_io_executor ex,
                                               const boost::asio::ip::address& local,
                                               boost::asio::ip::udp::endpoint client_rtp,
                                               boost::asio::ip::udp::endpoint client_rtcp,
                                               std::function<void()> on_close,
                                               std::function<void()> on_rtcp);

  uint16_t rtp_port() const { return rtp_port_; }
  uint16_t rtcp_port() const { return rtcp_port_; }
  uint64_t dropped_datagrams() const { return dropped_; }

  // Reads the client's RTCP until CloseSockets(); `owner` is kept alive meanwhile.
  void StartRtcpReader(std::shared_ptr<void> owner);
  void CloseSockets();

  boost::asio::awaitable<bool> SendRtp(std::span<OutPacket> packets) override;
  boost::asio::awaitable<bool> SendRtcp(ByteSpan packet) override;
  boost::asio::awaitable<bool> SendGarbage(ByteSpan bytes) override;
  boost::asio::awaitable<bool> SendStray(uint8_t channel, ByteSpan data) override;
  void Close() override { on_close_(); }

  UdpSink(boost::asio::ip::udp::socket rtp, boost::asio::ip::udp::socket rtcp,
          boost::asio::ip::udp::endpoint client_rtp, boost::asio::ip::udp::endpoint client_rtcp,
          std::function<void()> on_close, std::function<void()> on_rtcp);

 private:
  void SendDatagram(boost::asio::ip::udp::socket& s, const boost::asio::ip::udp::endpoint& to,
                    ByteSpan a, ByteSpan b);

  boost::asio::ip::udp::socket rtp_;
  boost::asio::ip::udp::socket rtcp_;
  boost::asio::ip::udp::endpoint client_rtp_;
  boost::asio::ip::udp::endpoint client_rtcp_;
  std::function<void()> on_close_;
  std::function<void()> on_rtcp_;
  uint16_t rtp_port_ = 0;
  uint16_t rtcp_port_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace sightline::camsim
