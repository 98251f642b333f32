#pragma once
// Connection: one RTSP client connection and its (single) media session. A reader coroutine
// parses requests and answers them; after PLAY a Streamer sends RTP, over this connection
// (interleaved, RFC 2326 section 10.12) or over UDP. Writes to the socket go through one gate
// so that responses never land inside an interleaved frame. A watchdog closes the connection
// when the client sends neither requests nor RTCP for the session timeout.
//
// Lives as long as any of its coroutines (each holds a shared_ptr). io thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "rtsp/interleaved.h"
#include "rtsp/message.h"
#include "tools/camsim/server_context.h"
#include "tools/camsim/streamer.h"

namespace sightline::camsim {

class UdpSink;

class Connection : public std::enable_shared_from_this<Connection>, public PacketSink {
 public:
  Connection(std::shared_ptr<ServerContext> ctx, boost::asio::ip::tcp::socket socket, uint64_t id);
  ~Connection() override;

  // Starts the reader and the watchdog.
  void Start();
  // Closes the socket and ends every coroutine of this connection. Idempotent.
  void Close();
  // A request or RTCP packet arrived: the session is alive.
  void Touch() { last_activity_ = std::chrono::steady_clock::now(); }

  // PacketSink for RTP over the RTSP connection.
  boost::asio::awaitable<bool> SendRtp(std::span<OutPacket> packets) override;
  boost::asio::awaitable<bool> SendRtcp(ByteSpan packet) override;
  boost::asio::awaitable<bool> SendGarbage(ByteSpan bytes) override;
  boost::asio::awaitable<bool> SendStray(uint8_t channel, ByteSpan data) override;

 private:
  boost::asio::awaitable<void> ReadLoop();
  boost::asio::awaitable<void> Watchdog();
  // Answers one request; false closes the connection after the answer.
  boost::asio::awaitable<bool> Handle(const rtsp::RtspMessage& req);
  boost::asio::awaitable<bool> Respond(const rtsp::RtspMessage& resp);
  // Writes under the gate; with `chunk` > 0 in writes of at most that many bytes (slow=MS).
  // `buffers` must stay valid until the write completes.
  boost::asio::awaitable<bool> Write(const std::vector<boost::asio::const_buffer>& buffers,
                                     size_t chunk = 0);

  rtsp::RtspMessage Describe(const rtsp::RtspMessage& req, rtsp::RtspMessage resp);
  rtsp::RtspMessage Setup(const rtsp::RtspMessage& req, rtsp::RtspMessage resp);
  boost::asio::awaitable<bool> Play(const rtsp::RtspMessage& req, rtsp::RtspMessage resp);

  // The camera named by the first path segment of `uri`, or an error status code.
  Camera* CameraFor(const std::string& uri, int* status_code) const;
  // False (and `resp` made a 401) unless the request carries valid Digest credentials.
  bool Authorized(const rtsp::RtspMessage& req, Camera& cam, rtsp::RtspMessage& resp);
  bool SessionMatches(const rtsp::RtspMessage& req) const;
  std::string BaseUrl(const Camera& cam) const;
  std::string SessionHeaderValue() const;
  int slow_ms() const { return camera_ ? camera_->spec.faults.slow_ms : 0; }
  size_t write_chunk() const { return slow_ms() > 0 ? 256 : 0; }

  std::shared_ptr<ServerContext> ctx_;
  boost::asio::ip::tcp::socket socket_;
  const uint64_t id_;
  rtsp::StreamSplitter splitter_;
  boost::asio::steady_timer write_gate_;  // never expires; cancel() wakes waiting writers
  boost::asio::steady_timer watchdog_;
  bool writing_ = false;
  bool closed_ = false;
  SteadyTime last_activity_;
  std::string nonce_;

  // The session (one per connection).
  Camera* camera_ = nullptr;
  std::string session_id_;
  bool tcp_ = true;
  uint8_t rtp_channel_ = 0;
  uint8_t rtcp_channel_ = 1;
  uint32_t ssrc_ = 0;
  std::unique_ptr<UdpSink> udp_;
  std::unique_ptr<Streamer> streamer_;
  bool playing_ = false;
  std::vector<boost::asio::const_buffer> rtp_buffers_;
};

}  // namespace sightline::camsim
