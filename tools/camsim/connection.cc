#include "tools/camsim/connection.h"

#include <cstdio>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/logging.h"
#include "rtsp/auth.h"
#include "rtsp/url.h"
#include "tools/camsim/sdp_writer.h"
#include "tools/camsim/udp_sink.h"

namespace sightline::camsim {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 4096;

std::string Hex(uint64_t v, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

const char* Reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 454:
      return "Session Not Found";
    case 455:
      return "Method Not Valid in This State";
    case 459:
      return "Aggregate Operation Not Allowed";
    case 461:
      return "Unsupported Transport";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
  }
  return "Error";
}

void SetStatus(rtsp::RtspMessage& resp, int code) {
  resp.status_code = code;
  resp.reason = Reason(code);
}

// Logs what escaped a coroutine: a bug, since nothing here throws on purpose.
void LogException(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    SL_LOG(kError) << "camsim: connection coroutine failed: " << ex.what();
  } catch (...) {
    SL_LOG(kError) << "camsim: connection coroutine failed";
  }
}

}  // namespace

Connection::Connection(std::shared_ptr<ServerContext> ctx, tcp::socket socket, uint64_t id)
    : ctx_(std::move(ctx)),
      socket_(std::move(socket)),
      id_(id),
      write_gate_(socket_.get_executor(), SteadyTime::max()),
      watchdog_(socket_.get_executor()),
      last_activity_(std::chrono::steady_clock::now()),
      nonce_(Hex(ctx_->rng(), 16)) {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
}

Connection::~Connection() = default;

void Connection::Start() {
  auto self = shared_from_this();
  asio::co_spawn(
      socket_.get_executor(), [self]() { return self->ReadLoop(); }, LogException);
  asio::co_spawn(
      socket_.get_executor(), [self]() { return self->Watchdog(); }, LogException);
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  watchdog_.cancel();
  write_gate_.cancel();
  if (streamer_) streamer_->Stop();
  if (udp_) udp_->CloseSockets();
  if (playing_ && camera_)
    camera_->counters.sessions_active.fetch_sub(1, std::memory_order_relaxed);
  playing_ = false;
  ctx_->connections.erase(id_);
}

asio::awaitable<void> Connection::Watchdog() {
  const auto timeout = ctx_->options.session_timeout;
  while (!closed_) {
    watchdog_.expires_at(last_activity_ + timeout);
    co_await watchdog_.async_wait(kAwait);  // expiry or cancel: either way, look again
    if (closed_) break;
    if (std::chrono::steady_clock::now() >= last_activity_ + timeout) {
      SL_LOG(kInfo) << "camera=" << (camera_ ? camera_->spec.name : "-")
                    << " session timeout: no request or RTCP for " << timeout.count() << " ms";
      Close();
    }
  }
}

asio::awaitable<void> Connection::ReadLoop() {
  while (!closed_) {
    std::span<uint8_t> space = splitter_.PrepareWrite(kReadChunk);
    auto [ec, n] =
        co_await socket_.async_read_some(asio::buffer(space.data(), space.size()), kAwait);
    if (ec) break;
    splitter_.Commit(n);
    for (;;) {
      Result<std::optional<rtsp::StreamSplitter::Item>> item = splitter_.Next();
      if (!item.ok()) {
        SL_LOG(kInfo) << "camsim: closing connection: " << item.status();
        Close();
        co_return;
      }
      if (!item->has_value()) break;
      const rtsp::StreamSplitter::Item& it = **item;
      if (it.kind == rtsp::StreamSplitter::Item::Kind::kInterleaved) {
        Touch();  // RTCP receiver reports from the client keep the session alive
        continue;
      }
      if (it.message.is_response) continue;
      Touch();
      if (!co_await Handle(it.message) || closed_) {
        Close();
        co_return;
      }
    }
  }
  Close();
}

asio::awaitable<bool> Connection::Write(const std::vector<asio::const_buffer>& buffers,
                                        size_t chunk) {
  while (writing_ && !closed_) co_await write_gate_.async_wait(kAwait);
  if (closed_) co_return false;
  writing_ = true;
  boost::system::error_code ec;
  if (chunk == 0) {
    auto [wec, n] = co_await asio::async_write(socket_, buffers, kAwait);
    ec = wec;
  } else {
    Bytes flat(asio::buffer_size(buffers));
    asio::buffer_copy(asio::buffer(flat), buffers);
    for (size_t off = 0; off < flat.size() && !ec; off += chunk) {
      const size_t len = std::min(chunk, flat.size() - off);
      auto [wec, n] =
          co_await asio::async_write(socket_, asio::buffer(flat.data() + off, len), kAwait);
      ec = wec;
    }
  }
  writing_ = false;
  write_gate_.cancel();
  if (ec) {
    Close();
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> Connection::Respond(const rtsp::RtspMessage& resp) {
  if (slow_ms() > 0) {
    asio::steady_timer delay(socket_.get_executor(), std::chrono::milliseconds(slow_ms()));
    co_await delay.async_wait(kAwait);
  }
  const std::string text = resp.Serialize();
  // Named, not a braced temporary: g++ 12 miscompiles initializer lists across co_await.
  std::vector<asio::const_buffer> buffers;
  buffers.push_back(asio::buffer(text));
  co_return co_await Write(buffers, write_chunk());
}

// Each packet's slot starts with room for its interleaved header.
static_assert(kSlotPrefix == rtsp::kInterleavedHeaderBytes);

asio::awaitable<bool> Connection::SendRtp(std::span<OutPacket> packets) {
  rtp_buffers_.clear();
  for (const OutPacket& p : packets) {
    rtsp::WriteInterleavedHeader(rtp_channel_, p.header_size + p.payload.size(), p.slot);
    rtp_buffers_.push_back(asio::buffer(p.slot, kSlotPrefix + p.header_size));
    rtp_buffers_.push_back(asio::buffer(p.payload.data(), p.payload.size()));
  }
  co_return co_await Write(rtp_buffers_, write_chunk());
}

asio::awaitable<bool> Connection::SendRtcp(ByteSpan packet) {
  co_return co_await SendStray(rtcp_channel_, packet);
}

asio::awaitable<bool> Connection::SendGarbage(ByteSpan bytes) {
  std::vector<asio::const_buffer> buffers;
  buffers.push_back(asio::buffer(bytes.data(), bytes.size()));
  co_return co_await Write(buffers);
}

// Any interleaved frame: RTCP on its channel, or the stray-channel quirk's data.
asio::awaitable<bool> Connection::SendStray(uint8_t channel, ByteSpan data) {
  uint8_t header[rtsp::kInterleavedHeaderBytes];
  rtsp::WriteInterleavedHeader(channel, data.size(), header);
  std::vector<asio::const_buffer> buffers;
  buffers.push_back(asio::buffer(header));
  buffers.push_back(asio::buffer(data.data(), data.size()));
  co_return co_await Write(buffers);
}

Camera* Connection::CameraFor(const std::string& uri, int* status_code) const {
  Result<rtsp::RtspUrl> url = rtsp::ParseRtspUrl(uri);
  if (!url.ok()) {
    *status_code = 400;
    return nullptr;
  }
  std::string_view path = url->path;
  path = path.substr(0, path.find('?'));
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const std::string_view name = path.substr(0, path.find('/'));
  Camera* cam = ctx_->FindCamera(name);
  if (cam == nullptr) *status_code = 404;
  return cam;
}

bool Connection::Authorized(const rtsp::RtspMessage& req, Camera& cam, rtsp::RtspMessage& resp) {
  rtsp::Credentials cred{cam.spec.user, cam.spec.password};
  if (cred.user.empty()) cred = {ctx_->options.user, ctx_->options.password};
  if (cred.user.empty()) return true;
  const std::optional<std::string_view> header = req.Header("Authorization");
  if (header && rtsp::VerifyDigestAuthorization(*header, cred, kRealm, nonce_, req.method)) {
    return true;
  }
  if (header) {
    Bump(cam.counters.auth_failures);
    SL_LOG(kInfo) << "camera=" << cam.spec.name << " auth failure method=" << req.method;
  }
  // RFC 2617 section 3.2.1 (RFC 2326 section 16.x): a Digest challenge.
  SetStatus(resp, 401);
  resp.AddHeader("WWW-Authenticate",
                 "Digest realm=\"" + std::string(kRealm) + "\", nonce=\"" + nonce_ + "\"");
  return false;
}

bool Connection::SessionMatches(const rtsp::RtspMessage& req) const {
  const std::optional<std::string_view> value = req.Header("Session");
  if (!value) return false;
  Result<rtsp::SessionHeader> s = rtsp::ParseSessionHeader(*value);
  return s.ok() && !session_id_.empty() && s->id == session_id_;
}

std::string Connection::BaseUrl(const Camera& cam) const {
  boost::system::error_code ec;
  const tcp::endpoint local = socket_.local_endpoint(ec);
  const std::string host = local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                                   : local.address().to_string();
  return "rtsp://" + host + ":" + std::to_string(local.port()) + "/" + cam.spec.name + "/";
}

std::string Connection::SessionHeaderValue() const {
  const auto timeout_s =
      std::chrono::duration_cast<std::chrono::seconds>(ctx_->options.session_timeout).count();
  return session_id_ + ";timeout=" + std::to_string(std::max<int64_t>(1, timeout_s));
}

asio::awaitable<bool> Connection::Handle(const rtsp::RtspMessage& req) {
  rtsp::RtspMessage resp;
  resp.is_response = true;
  SetStatus(resp, 200);
  const std::optional<int> cseq = req.CSeq();
  if (cseq) resp.AddHeader("CSeq", std::to_string(*cseq));
  resp.AddHeader("Server", std::string(kServerName));
  SL_LOG(kDebug) << "camsim: connection=" << id_ << " " << req.method << " " << req.uri;
  if (!cseq) {
    SetStatus(resp, 400);
    co_await Respond(resp);
    co_return false;
  }
  const std::string& m = req.method;
  if (m == "OPTIONS") {
    resp.AddHeader("Public",
                   "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, SET_PARAMETER, TEARDOWN");
    co_return co_await Respond(resp);
  }
  if (m == "DESCRIBE") co_return co_await Respond(Describe(req, std::move(resp)));
  if (m == "SETUP") co_return co_await Respond(Setup(req, std::move(resp)));
  if (m == "PLAY") co_return co_await Play(req, std::move(resp));
  if (m == "GET_PARAMETER" || m == "SET_PARAMETER" || m == "TEARDOWN") {
    // Keepalives (RFC 2326 sections 10.8, 10.9) and TEARDOWN: they address the session.
    if (req.Header("Session") && !SessionMatches(req)) {
      SetStatus(resp, 454);
      co_return co_await Respond(resp);
    }
    if (camera_ != nullptr && !Authorized(req, *camera_, resp)) co_return co_await Respond(resp);
    if (!session_id_.empty()) resp.AddHeader("Session", SessionHeaderValue());
    const bool ok = co_await Respond(resp);
    co_return ok&& m != "TEARDOWN";
  }
  SetStatus(resp, 501);
  co_return co_await Respond(resp);
}

rtsp::RtspMessage Connection::Describe(const rtsp::RtspMessage& req, rtsp::RtspMessage resp) {
  int code = 0;
  Camera* cam = CameraFor(req.uri, &code);
  if (cam == nullptr) {
    SetStatus(resp, code);
    return resp;
  }
  if (camera_ == nullptr) camera_ = cam;
  if (!Authorized(req, *cam, resp)) return resp;
  boost::system::error_code ec;
  SdpParams params;
  params.camera_name = cam->spec.name;
  params.server_address = socket_.local_endpoint(ec).address().to_string();
  params.session_id = ctx_->rng() >> 16;
  params.quirks = cam->spec.quirks;
  resp.AddHeader("Content-Type", "application/sdp");
  resp.AddHeader("Content-Base", BaseUrl(*cam));
  resp.body = BuildSdp(*cam->clip, params);
  return resp;
}

rtsp::RtspMessage Connection::Setup(const rtsp::RtspMessage& req, rtsp::RtspMessage resp) {
  int code = 0;
  Camera* cam = CameraFor(req.uri, &code);
  if (cam == nullptr) {
    SetStatus(resp, code);
    return resp;
  }
  if (!session_id_.empty()) {
    SetStatus(resp, 459);  // one media session (and one track) per connection
    return resp;
  }
  camera_ = cam;
  if (!Authorized(req, *cam, resp)) return resp;
  const std::optional<std::string_view> value = req.Header("Transport");
  Result<rtsp::TransportHeader> want =
      value ? rtsp::ParseTransportHeader(*value)
            : Result<rtsp::TransportHeader>(InvalidArgumentError("no Transport"));
  if (!want.ok() || !want->unicast || (!want->tcp && !want->client_port)) {
    SetStatus(resp, 461);
    return resp;
  }
  ssrc_ = static_cast<uint32_t>(ctx_->rng());
  rtsp::TransportHeader t;
  t.unicast = true;
  t.ssrc = ssrc_;
  if (want->tcp) {
    tcp_ = true;
    const auto channels = want->interleaved.value_or(std::pair<int, int>(0, 1));
    if (channels.first < 0 || channels.first > 255 || channels.second < 0 ||
        channels.second > 255) {
      SetStatus(resp, 461);  // RFC 2326 section 10.12: channels are one byte
      return resp;
    }
    rtp_channel_ = static_cast<uint8_t>(channels.first);
    rtcp_channel_ = static_cast<uint8_t>(channels.second);
    t.tcp = true;
    t.interleaved = std::pair<int, int>(rtp_channel_, rtcp_channel_);
  } else {
    tcp_ = false;
    boost::system::error_code ec;
    const tcp::endpoint local = socket_.local_endpoint(ec);
    const tcp::endpoint remote = socket_.remote_endpoint(ec);
    const auto ports = *want->client_port;
    if (ec || ports.first <= 0 || ports.first > 65535 || ports.second <= 0 ||
        ports.second > 65535) {
      SetStatus(resp, 461);
      return resp;
    }
    Connection* self = this;
    Result<std::unique_ptr<UdpSink>> sink = UdpSink::Open(
        socket_.get_executor(), local.address(),
        asio::ip::udp::endpoint(remote.address(), static_cast<uint16_t>(ports.first)),
        asio::ip::udp::endpoint(remote.address(), static_cast<uint16_t>(ports.second)),
        [self] { self->Close(); }, [self] { self->Touch(); });
    if (!sink.ok()) {
      SL_LOG(kWarning) << "camera=" << cam->spec.name << " SETUP: " << sink.status();
      SetStatus(resp, 500);
      return resp;
    }
    udp_ = std::move(*sink);
    udp_->StartRtcpReader(shared_from_this());
    t.client_port = ports;
    t.server_port = std::pair<int, int>(udp_->rtp_port(), udp_->rtcp_port());
  }
  session_id_ = Hex(ctx_->rng(), 16);
  resp.AddHeader("Transport", rtsp::FormatTransportHeader(t));
  resp.AddHeader("Session", SessionHeaderValue());
  return resp;
}

asio::awaitable<bool> Connection::Play(const rtsp::RtspMessage& req, rtsp::RtspMessage resp) {
  if (session_id_.empty() || camera_ == nullptr) {
    SetStatus(resp, 455);
    co_return co_await Respond(resp);
  }
  if (!SessionMatches(req)) {
    SetStatus(resp, 454);
    co_return co_await Respond(resp);
  }
  if (!Authorized(req, *camera_, resp)) co_return co_await Respond(resp);
  resp.AddHeader("Session", SessionHeaderValue());
  if (playing_) co_return co_await Respond(resp);  // already streaming: nothing to restart

  Streamer::Params p;
  p.camera = camera_;
  static const RealClock kMachineClock;
  p.clock = ctx_->options.clock != nullptr ? ctx_->options.clock : &kMachineClock;
  p.speed = ctx_->options.speed;
  p.rtcp_interval = ctx_->options.rtcp_interval;
  p.max_lag = ctx_->options.max_lag;
  p.server_start = ctx_->start;
  p.ssrc = ssrc_;
  p.initial_seq = static_cast<uint16_t>(ctx_->rng());
  p.initial_rtptime = static_cast<uint32_t>(ctx_->rng());
  p.seed = ctx_->rng();
  PacketSink& sink = tcp_ ? static_cast<PacketSink&>(*this) : static_cast<PacketSink&>(*udp_);
  streamer_ =
      std::make_unique<Streamer>(socket_.get_executor(), p, sink, std::chrono::steady_clock::now());
  const Quirks& q = camera_->spec.quirks;
  if (q.rtcp_before_play && !co_await streamer_->SendSenderReport()) co_return false;
  // Quirk bogus-rtpinfo: values a client must not trust over the packets themselves.
  const uint16_t seq = streamer_->initial_seq() + (q.bogus_rtpinfo ? 1000 : 0);
  const uint32_t rtptime = streamer_->initial_rtptime() + (q.bogus_rtpinfo ? 123456789u : 0);
  resp.AddHeader("Range", "npt=now-");
  resp.AddHeader("RTP-Info", "url=" + BaseUrl(*camera_) + std::string(kTrackControl) + ";seq=" +
                                 std::to_string(seq) + ";rtptime=" + std::to_string(rtptime));
  if (!co_await Respond(resp)) co_return false;
  playing_ = true;
  Bump(camera_->counters.sessions_started);
  Bump(camera_->counters.sessions_active);
  // The session's clock, for tools that must know which frame was sent when (the browser
  // tests compare the picture played back with the footage of that moment).
  const SessionClock& clock = streamer_->clock();
  SL_LOG(kInfo) << "camera=" << camera_->spec.name << " session=" << session_id_
                << " PLAY transport=" << (tcp_ ? "tcp" : "udp")
                << " clip_ms=" << clock.clip_dts.ticks() / 90 << " start_us=" << UnixMicros(clock.start);
  if (ctx_->options.on_session_start) ctx_->options.on_session_start(camera_->spec.name, clock);
  auto self = shared_from_this();
  asio::co_spawn(
      socket_.get_executor(),
      [self]() -> asio::awaitable<void> { co_await self->streamer_->Run(); }, LogException);
  co_return true;
}

}  // namespace sightline::camsim
