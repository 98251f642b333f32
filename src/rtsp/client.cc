#include "rtsp/client.h"

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/logging.h"
#include "base/mutex.h"
#include "rtsp/interleaved.h"
#include "rtsp/message.h"
#include "rtsp/rtp.h"
#include "rtsp/sdp.h"
#include "rtsp/text.h"
#include "rtsp/url.h"

namespace sightline::rtsp {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using Strand = asio::strand<asio::any_io_executor>;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 32 * 1024;
constexpr auto kRtcpInterval = std::chrono::seconds(5);

void Accumulate(ReceiverStats& into, const ReceiverStats& s) {
  into.packets += s.packets;
  into.packets_lost += s.packets_lost;
  into.loss_events += s.loss_events;
  into.packets_late += s.packets_late;
  into.packets_ignored += s.packets_ignored;
  into.sequence_restarts += s.sequence_restarts;
  into.malformed_packets += s.malformed_packets;
  into.frames += s.frames;
  into.keyframes += s.keyframes;
  into.frame_bytes += s.frame_bytes;
  into.sender_reports += s.sender_reports;
  into.sender_reports_rejected += s.sender_reports_rejected;
  into.wall_clock_reanchors += s.wall_clock_reanchors;
}

// Sets a large kernel receive buffer so a burst (a keyframe) is not dropped by the kernel
// while the strand is busy. SO_RCVBUFFORCE needs CAP_NET_ADMIN; fall back to SO_RCVBUF.
void EnlargeReceiveBuffer(udp::socket& s) {
  int size = 4 << 20;
  if (setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    boost::system::error_code ignored;
    s.set_option(asio::socket_base::receive_buffer_size(size), ignored);
  }
}

}  // namespace

const char* ClientStateName(ClientState s) {
  switch (s) {
    case ClientState::kStopped: return "stopped";
    case ClientState::kConnecting: return "connecting";
    case ClientState::kPlaying: return "playing";
    case ClientState::kBackoff: return "backoff";
  }
  return "?";
}

// Everything about one connection attempt. Shared by the coroutines that serve it (the
// session flow, the ticker, UDP readers); all run on the client's strand.
struct Connection {
  explicit Connection(const Strand& strand)
      : socket(strand), rtp_socket(strand), rtcp_socket(strand), ticker_timer(strand) {}

  tcp::socket socket;
  StreamSplitter splitter;
  int cseq = 0;
  std::string session_id;
  int session_timeout_s = 60;
  std::optional<AuthChallenge> challenge;
  uint32_t nonce_count = 0;
  std::unique_ptr<StreamReceiver> receiver;
  int rtp_channel = 0;
  int rtcp_channel = 1;
  udp::socket rtp_socket;
  udp::socket rtcp_socket;
  asio::steady_timer ticker_timer;  // cancelled by Close() so the ticker ends at once
  udp::endpoint server_rtcp;
  asio::ip::address server_address;
  std::string keepalive_method = "OPTIONS";
  std::string keepalive_url;
  bool playing = false;
  bool closed = false;
  Status error;              // first reason the connection ended
  MonoTime deadline = MonoTime::max();
  std::string deadline_what; // what the deadline guards, for the error message
  MonoTime next_keepalive = MonoTime::max();
  MonoTime next_rtcp = MonoTime::max();
  MonoTime play_time{};
  uint64_t stray_packets = 0;
  uint32_t rr_ssrc = 0;

  // Ends the connection with `why` unless it already ended; every reader then fails.
  void Close(Status why) {
    if (error.ok()) error = std::move(why);
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    socket.close(ignored);
    rtp_socket.close(ignored);
    rtcp_socket.close(ignored);
    ticker_timer.cancel();
  }
};

class Client::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, ClientOptions options, FrameCallback on_frame, const Clock& clock)
      : strand_(asio::make_strand(executor)),
        options_(std::move(options)),
        on_frame_(std::move(on_frame)),
        clock_(clock),
        backoff_timer_(strand_),
        rng_(std::random_device{}()),
        log_limiter_(std::chrono::minutes(1), 3) {}

  void Start() {
    asio::post(strand_, [self = shared_from_this()] {
      if (self->running_ || self->stopped_) return;
      self->running_ = true;
      asio::co_spawn(self->strand_, self->Run(), [self](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            SL_LOG(kError) << self->log_name_ << " bug: client loop ended by exception: " << ex.what();
          }
        }
        self->Finish();
      });
    });
  }

  void Stop(std::function<void()> on_stopped) {
    asio::post(strand_, [self = shared_from_this(), cb = std::move(on_stopped)]() mutable {
      self->stopped_ = true;
      boost::system::error_code ignored;
      self->backoff_timer_.cancel();
      if (self->conn_) self->conn_->Close(CancelledError("stopped"));
      if (cb) {
        if (self->running_) self->stop_callbacks_.push_back(std::move(cb));
        else cb();
      }
    });
  }

  void RetryNow() {
    asio::post(strand_, [self = shared_from_this()] {
      self->retry_now_ = true;
      self->backoff_timer_.cancel();
    });
  }

  ClientStats stats() const {
    MutexLock lock(mu_);
    ClientStats s = published_;
    Accumulate(s.receiver, current_.receiver);
    s.frames_dropped += current_.frames_dropped;
    s.stray_packets += current_.stray_packets;
    s.skipped_bytes += current_.skipped_bytes;
    return s;
  }

 private:
  void Finish() {
    running_ = false;
    SetState(ClientState::kStopped);
    auto callbacks = std::move(stop_callbacks_);
    for (auto& cb : callbacks) cb();
  }

  void SetState(ClientState s) {
    MutexLock lock(mu_);
    published_.state = s;
  }

  // The URL of the next connection attempt: `url`, or what `url_source` says now.
  Status TakeUrl() {
    Result<std::string> text = options_.url_source ? options_.url_source() : Result<std::string>(options_.url);
    if (!text.ok()) return text.status();
    Result<RtspUrl> url = ParseRtspUrl(*text);
    if (!url.ok()) return url.status();
    url_ = *url;
    credentials_ = options_.credentials.user.empty() ? url_.credentials : options_.credentials;
    if (log_name_.empty()) log_name_ = "url=" + url_.RequestUrl();
    return Status::Ok();
  }

  awaitable<void> Run() {
    log_name_ = options_.log_name;
    if (!options_.url_source) {
      // A fixed URL that does not parse will never connect: report it once and stop.
      if (Status s = TakeUrl(); !s.ok()) {
        SL_LOG(kError) << log_name_ << " " << s;
        RecordError(s);
        co_return;
      }
    }

    auto backoff = options_.backoff_initial;
    bool first = true;
    while (!stopped_) {
      if (!first) {
        MutexLock lock(mu_);
        ++published_.reconnects;
      }
      first = false;
      SetState(ClientState::kConnecting);
      Status url_status = options_.url_source ? TakeUrl() : Status::Ok();
      bool delivered_long = false;
      if (url_status.ok()) {
        conn_ = std::make_shared<Connection>(strand_);
        std::shared_ptr<Connection> conn = conn_;
        co_await Session(conn);
        // Ends the ticker and any UDP readers.
        conn->Close(UnavailableError("connection ended"));
        FoldConnectionStats(*conn);
        delivered_long = conn->playing && clock_.Now() - conn->play_time >= options_.backoff_reset_after;
        conn_.reset();
        url_status = conn->error;
      }
      if (stopped_) break;
      ReportError(url_status);
      if (delivered_long) backoff = options_.backoff_initial;
      // Jitter of +-25% keeps a site's cameras from reconnecting in lockstep after an outage.
      std::uniform_real_distribution<double> jitter(0.75, 1.25);
      const auto wait = std::chrono::milliseconds(static_cast<int64_t>(backoff.count() * jitter(rng_)));
      SetState(ClientState::kBackoff);
      if (!retry_now_) {
        backoff_timer_.expires_after(wait);
        co_await backoff_timer_.async_wait(kUseTuple);
      }
      // RetryNow: something changed (the camera's URL is known now); start the backoff afresh.
      backoff = std::exchange(retry_now_, false) ? options_.backoff_initial : std::min(backoff * 2, options_.backoff_max);
    }
  }

  void RecordError(const Status& s) {
    MutexLock lock(mu_);
    published_.last_error = s.ToString();
  }

  void ReportError(const Status& s) {
    RecordError(s);
    int suppressed = 0;
    if (log_limiter_.Allow(clock_.Now(), &suppressed)) {
      SL_LOG(kWarning) << log_name_ << " disconnected: " << s
                       << (suppressed ? " (" + std::to_string(suppressed) + " similar suppressed)" : "");
    }
  }

  void FoldConnectionStats(const Connection& c) {
    MutexLock lock(mu_);
    if (c.receiver) {
      Accumulate(published_.receiver, c.receiver->stats());
      published_.frames_dropped += c.receiver->depacketizer_stats().units_dropped;
    }
    published_.skipped_bytes += c.splitter.skipped_bytes();
    published_.stray_packets += c.stray_packets;
    current_ = LiveStats();
  }

  // One connection from connect to failure. Sets conn->error.
  awaitable<void> Session(std::shared_ptr<Connection> conn) {
    // The ticker enforces deadlines (connect, each request, stall) by closing the connection,
    // and sends keepalives and RTCP receiver reports while playing.
    asio::co_spawn(strand_, Ticker(conn), asio::detached);
    Status st = co_await Negotiate(conn);
    if (st.ok()) st = co_await Stream(conn);
    conn->Close(std::move(st));
  }

  void SetDeadline(Connection& c, std::chrono::milliseconds d, std::string what) {
    c.deadline = clock_.Now() + d;
    c.deadline_what = std::move(what);
  }

  // A quarter of the shortest deadline, at most 1 s: deadlines are met within 25 % while an
  // idle camera costs one wakeup a second (wakeups dominate the cost of a 10 fps stream).
  std::chrono::milliseconds TickPeriod() const {
    const auto shortest = std::min({options_.connect_timeout, options_.request_timeout, options_.stall_timeout});
    return std::clamp(shortest / 4, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
  }

  awaitable<void> Ticker(std::shared_ptr<Connection> conn) {
    const auto period = TickPeriod();
    while (!conn->closed) {
      conn->ticker_timer.expires_after(period);
      co_await conn->ticker_timer.async_wait(kUseTuple);
      if (conn->closed) break;
      const MonoTime now = clock_.Now();
      if (now >= conn->deadline) {
        if (conn->playing) {
          MutexLock lock(mu_);
          ++published_.stalls;
        }
        conn->Close(DeadlineExceededError(conn->deadline_what));
        break;
      }
      if (conn->playing && now >= conn->next_keepalive) {
        conn->next_keepalive = now + KeepaliveInterval(*conn);
        co_await SendKeepalive(conn);
      }
      if (conn->playing && now >= conn->next_rtcp) {
        conn->next_rtcp = now + kRtcpInterval;
        co_await SendReceiverReport(conn);
      }
    }
  }

  static std::chrono::milliseconds KeepaliveInterval(const Connection& c) {
    // Half the session timeout (RFC 2326 section 12.37), so one lost keepalive is survivable.
    return std::chrono::milliseconds(std::max(1000, c.session_timeout_s * 500));
  }

  awaitable<void> SendKeepalive(std::shared_ptr<Connection> conn) {
    RtspMessage req = BuildRequest(*conn, conn->keepalive_method, conn->keepalive_url);
    // The response is read (and ignored) by the streaming loop. A camera that does not answer
    // keepalives still stays up as long as frames flow.
    std::string wire = req.Serialize();
    auto [ec, n] = co_await asio::async_write(conn->socket, asio::buffer(wire), kUseTuple);
    if (ec) conn->Close(UnavailableError("sending keepalive: " + ec.message()));
  }

  awaitable<void> SendReceiverReport(std::shared_ptr<Connection> conn) {
    Bytes rr;
    WriteRtcpReceiverReport(conn->rr_ssrc, rr);
    if (options_.transport == TransportMode::kUdp) {
      auto [ec, n] = co_await conn->rtcp_socket.async_send_to(asio::buffer(rr), conn->server_rtcp, kUseTuple);
      (void)ec;  // best effort: RTCP over UDP may be filtered; the stream does not depend on it
      co_return;
    }
    uint8_t header[kInterleavedHeaderBytes];
    WriteInterleavedHeader(static_cast<uint8_t>(conn->rtcp_channel), rr.size(), header);
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(header), asio::buffer(rr)};
    auto [ec, n] = co_await asio::async_write(conn->socket, buffers, kUseTuple);
    if (ec) conn->Close(UnavailableError("sending RTCP: " + ec.message()));
  }

  RtspMessage BuildRequest(Connection& c, std::string_view method, std::string_view uri) {
    RtspMessage req;
    req.method = std::string(method);
    req.uri = std::string(uri);
    req.AddHeader("CSeq", std::to_string(++c.cseq));
    req.AddHeader("User-Agent", "Sightline");
    if (c.challenge) {
      req.AddHeader("Authorization",
                    AuthorizationHeader(*c.challenge, credentials_, method, uri, ++c.nonce_count));
    }
    if (!c.session_id.empty()) req.AddHeader("Session", c.session_id);
    return req;
  }

  // Sends a request and waits for its response, answering one 401 with credentials.
  using Headers = std::vector<std::pair<std::string, std::string>>;

  awaitable<Result<RtspMessage>> Request(std::shared_ptr<Connection> conn, std::string method,
                                         std::string uri, Headers headers = {}) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      RtspMessage req = BuildRequest(*conn, method, uri);
      for (auto& [k, v] : headers) req.AddHeader(k, v);
      const int cseq = conn->cseq;
      SetDeadline(*conn, options_.request_timeout, "no response to " + method + " within " +
                                                       std::to_string(options_.request_timeout.count()) + " ms");
      std::string wire = req.Serialize();
      auto [ec, n] = co_await asio::async_write(conn->socket, asio::buffer(wire), kUseTuple);
      if (ec) co_return ConnectionError(*conn, "sending " + method, ec);
      Result<RtspMessage> resp = co_await ReadResponse(conn, cseq);
      if (!resp.ok()) co_return std::move(resp).status().WithContext(method);
      if (resp->status_code != 401) co_return resp;
      if (credentials_.user.empty()) {
        co_return UnauthenticatedError(method + ": camera requires authentication and no credentials are set");
      }
      Result<AuthChallenge> challenge = ChooseChallenge(resp->Headers("WWW-Authenticate"));
      if (!challenge.ok()) co_return std::move(challenge).status().WithContext(method + ": 401");
      const bool retry_is_pointless = conn->challenge.has_value() && !challenge->stale;
      conn->challenge = *challenge;
      conn->nonce_count = 0;
      if (retry_is_pointless) break;
    }
    co_return UnauthenticatedError(method + ": credentials rejected (401) by the camera");
  }

  Status ConnectionError(Connection& c, std::string what, const boost::system::error_code& ec) {
    // If the ticker closed the socket, its reason is the real one.
    if (!c.error.ok()) return c.error;
    if (ec == asio::error::eof) return UnavailableError(what + ": connection closed by the camera");
    return UnavailableError(what + ": " + ec.message());
  }

  // Reads until the response with `cseq` arrives. Interleaved data that arrives meanwhile
  // (RTCP before the PLAY response is a known quirk) is processed, not dropped.
  awaitable<Result<RtspMessage>> ReadResponse(std::shared_ptr<Connection> conn, int cseq) {
    for (;;) {
      for (;;) {
        Result<std::optional<StreamSplitter::Item>> item = conn->splitter.Next();
        if (!item.ok()) co_return std::move(item).status();
        if (!item->has_value()) break;
        StreamSplitter::Item& it = **item;
        if (it.kind == StreamSplitter::Item::Kind::kInterleaved) {
          OnInterleaved(*conn, it.channel, it.data);
          continue;
        }
        if (!it.message.is_response) continue;  // a request from the camera; not used
        const std::optional<int> got = it.message.CSeq();
        // Quirk: some cameras omit CSeq in responses; take the next response then.
        if (!got || *got == cseq) co_return std::move(it.message);
      }
      std::span<uint8_t> buf = conn->splitter.PrepareWrite(kReadChunk);
      auto [ec, n] = co_await conn->socket.async_read_some(asio::buffer(buf.data(), buf.size()), kUseTuple);
      if (ec) co_return ConnectionError(*conn, "reading response", ec);
      conn->splitter.Commit(n);
    }
  }

  awaitable<Status> Negotiate(std::shared_ptr<Connection> conn) {
    // Connect.
    SetDeadline(*conn, options_.connect_timeout, "connect timed out");
    tcp::resolver resolver(strand_);
    auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, std::to_string(url_.port), kUseTuple);
    if (rec) co_return UnavailableError("resolving " + url_.host + ": " + rec.message());
    boost::system::error_code cec = asio::error::host_not_found;
    for (const auto& ep : endpoints) {
      boost::system::error_code ignored;
      conn->socket.close(ignored);
      auto [ec] = co_await conn->socket.async_connect(ep.endpoint(), kUseTuple);
      cec = ec;
      if (!ec || conn->closed) break;
    }
    if (cec) co_return ConnectionError(*conn, "connecting to " + url_.host + ":" + std::to_string(url_.port), cec);
    conn->server_address = conn->socket.remote_endpoint(cec).address();
    conn->socket.set_option(tcp::no_delay(true), cec);
    const std::string request_url = url_.RequestUrl();

    // OPTIONS: learn whether GET_PARAMETER works as a keepalive.
    Result<RtspMessage> options = co_await Request(conn, "OPTIONS", request_url);
    if (!options.ok()) co_return options.status();
    if (auto pub = options->Header("Public"); pub && pub->find("GET_PARAMETER") != std::string_view::npos) {
      conn->keepalive_method = "GET_PARAMETER";
    }

    // DESCRIBE.
    Headers describe_headers;
    describe_headers.emplace_back("Accept", "application/sdp");
    Result<RtspMessage> describe = co_await Request(conn, "DESCRIBE", request_url, std::move(describe_headers));
    if (!describe.ok()) co_return describe.status();
    if (describe->status_code != 200) co_return StatusError("DESCRIBE", *describe);
    Result<Sdp> sdp = ParseSdp(describe->body);
    if (!sdp.ok()) co_return std::move(sdp).status().WithContext("DESCRIBE: SDP");
    const SdpMedia* video = nullptr;
    std::string offered;
    for (const SdpMedia& m : sdp->media) {
      offered += (offered.empty() ? "" : ", ") + m.type + "/" + (m.encoding.empty() ? "?" : m.encoding);
      if (video == nullptr && m.type == "video" &&
          (EqualsIgnoreCase(m.encoding, "H264") || EqualsIgnoreCase(m.encoding, "H265"))) {
        video = &m;
      }
    }
    if (video == nullptr) {
      co_return UnimplementedError("DESCRIBE: no H.264 or H.265 video stream in the SDP (offered: " +
                                   (offered.empty() ? std::string("nothing") : offered) + ")");
    }
    std::string base = request_url;
    if (auto cb = describe->Header("Content-Base")) base = std::string(*cb);
    else if (auto cl = describe->Header("Content-Location")) base = std::string(*cl);

    StreamReceiver::Config rc;
    rc.codec = EqualsIgnoreCase(video->encoding, "H265") ? media::Codec::kH265 : media::Codec::kH264;
    rc.payload_type = video->payload_type >= 0 ? video->payload_type
                                               : (video->formats.empty() ? 96 : video->formats.front());
    rc.fmtp = video->fmtp;
    conn->receiver = std::make_unique<StreamReceiver>(rc);
    // Only a present-but-wrong sprop is worth a line; many cameras send none at all.
    if (conn->receiver->sdp_params_status().code() != StatusCode::kOk &&
        conn->receiver->sdp_params_status().code() != StatusCode::kNotFound) {
      SL_LOG(kInfo) << log_name_ << " ignoring SDP parameter sets, will use in-band ones: "
                    << conn->receiver->sdp_params_status();
    }

    // SETUP.
    TransportHeader want;
    if (options_.transport == TransportMode::kTcp) {
      want.tcp = true;
      want.interleaved = std::make_pair(0, 1);
    } else {
      Status bound = BindUdpPair(*conn);
      if (!bound.ok()) co_return bound;
      const int port = conn->rtp_socket.local_endpoint().port();
      want.client_port = std::make_pair(port, port + 1);
    }
    const std::string setup_url = ResolveControlUrl(base, video->control);
    Headers setup_headers;
    setup_headers.emplace_back("Transport", FormatTransportHeader(want));
    Result<RtspMessage> setup = co_await Request(conn, "SETUP", setup_url, std::move(setup_headers));
    if (!setup.ok()) co_return setup.status();
    if (setup->status_code != 200) co_return StatusError("SETUP", *setup);
    auto session = setup->Header("Session");
    if (!session) co_return InvalidArgumentError("SETUP: response has no Session header");
    Result<SessionHeader> sh = ParseSessionHeader(*session);
    if (!sh.ok()) co_return std::move(sh).status().WithContext("SETUP: Session header");
    conn->session_id = sh->id;
    conn->session_timeout_s = sh->timeout_s > 0 ? sh->timeout_s : 60;
    if (auto th = setup->Header("Transport")) {
      Result<TransportHeader> got = ParseTransportHeader(*th);
      if (!got.ok()) co_return std::move(got).status().WithContext("SETUP: Transport header");
      if (options_.transport == TransportMode::kTcp) {
        if (!got->tcp && !got->interleaved) co_return UnimplementedError("SETUP: camera refused RTP over TCP: " + std::string(*th));
        if (got->interleaved) {  // the camera may choose other channels than we asked for
          conn->rtp_channel = got->interleaved->first;
          conn->rtcp_channel = got->interleaved->second;
        }
      } else {
        if (!got->server_port) co_return InvalidArgumentError("SETUP: UDP transport without server_port: " + std::string(*th));
        conn->server_rtcp = udp::endpoint(conn->server_address, static_cast<uint16_t>(got->server_port->second));
      }
    } else if (options_.transport == TransportMode::kUdp) {
      co_return InvalidArgumentError("SETUP: response has no Transport header");
    }

    // PLAY. RTP-Info is ignored on purpose: cameras send bogus values, and the packets' own
    // sequence numbers and timestamps are what the receiver tracks.
    std::string play_url = sdp->control.empty() || sdp->control == "*" ? base : ResolveControlUrl(base, sdp->control);
    conn->keepalive_url = play_url;
    if (options_.transport == TransportMode::kUdp) {
      for (udp::socket* s : {&conn->rtp_socket, &conn->rtcp_socket}) {
        asio::co_spawn(strand_, UdpReader(conn, s), asio::detached);
      }
    }
    // (Headers are built outside the co_await: g++ 12 miscompiles braced lists there.)
    Headers play_headers;
    play_headers.emplace_back("Range", "npt=0.000-");
    Result<RtspMessage> play = co_await Request(conn, "PLAY", play_url, std::move(play_headers));
    if (!play.ok()) co_return play.status();
    if (play->status_code != 200) co_return StatusError("PLAY", *play);
    co_return Status();
  }

  static Status StatusError(const std::string& method, const RtspMessage& resp) {
    std::string m = method + ": camera answered " + std::to_string(resp.status_code) + " " + resp.reason;
    if (resp.status_code == 404) return NotFoundError(m);
    if (resp.status_code == 403) return PermissionDeniedError(m);
    if (resp.status_code == 454 || resp.status_code == 503) return UnavailableError(m);
    return FailedPreconditionError(m);
  }

  Status BindUdpPair(Connection& c) {
    // RTP on an even port and RTCP on the next (RFC 3550 section 11).
    const udp protocol = c.server_address.is_v6() ? udp::v6() : udp::v4();
    for (int attempt = 0; attempt < 32; ++attempt) {
      boost::system::error_code ec;
      c.rtp_socket.close(ec);
      c.rtcp_socket.close(ec);
      c.rtp_socket.open(protocol, ec);
      if (ec) return ErrnoError("opening UDP socket", ec.value());
      c.rtp_socket.bind(udp::endpoint(protocol, 0), ec);
      if (ec) return ErrnoError("binding UDP socket", ec.value());
      const uint16_t port = c.rtp_socket.local_endpoint().port();
      if (port % 2 != 0 || port == 65535) continue;
      c.rtcp_socket.open(protocol, ec);
      c.rtcp_socket.bind(udp::endpoint(protocol, port + 1), ec);
      if (ec) continue;
      EnlargeReceiveBuffer(c.rtp_socket);
      return Status();
    }
    return UnavailableError("could not bind an even/odd UDP port pair for RTP/RTCP");
  }

  awaitable<void> UdpReader(std::shared_ptr<Connection> conn, udp::socket* socket) {
    const bool is_rtp = socket == &conn->rtp_socket;
    std::vector<uint8_t> buf(65536);
    udp::endpoint from;
    while (!conn->closed) {
      auto [ec, n] = co_await socket->async_receive_from(asio::buffer(buf), from, kUseTuple);
      if (conn->closed) break;
      if (ec) {
        conn->Close(UnavailableError(std::string("UDP receive: ") + ec.message()));
        break;
      }
      // Only the camera may feed this stream; anything else is injected or stray traffic.
      if (from.address() != conn->server_address) {
        ++conn->stray_packets;
        continue;
      }
      HandlePacket(*conn, is_rtp, ByteSpan(buf.data(), n));
    }
  }

  void OnInterleaved(Connection& c, uint8_t channel, ByteSpan data) {
    if (c.receiver == nullptr || (channel != c.rtp_channel && channel != c.rtcp_channel)) {
      ++c.stray_packets;  // quirk: data on channels we never set up
      return;
    }
    HandlePacket(c, channel == c.rtp_channel, data);
  }

  void HandlePacket(Connection& c, bool is_rtp, ByteSpan data) {
    if (c.receiver == nullptr) return;
    Status st;
    if (is_rtp) {
      frames_.clear();
      st = c.receiver->OnRtp(data, clock_.Now(), clock_.WallNow(), frames_);
      if (!frames_.empty()) {
        const MonoTime now = clock_.Now();
        // The deadline's message is already StallMessage() (set by Stream): only the time
        // moves, which spares a string per frame.
        if (c.playing) c.deadline = now + options_.stall_timeout;
        {
          MutexLock lock(mu_);
          current_ = {c.receiver->stats(), c.receiver->depacketizer_stats().units_dropped,
                      c.stray_packets, c.splitter.skipped_bytes()};
          published_.last_frame_time = now;
          // Parameter sets rarely change: skip the shared_ptr copy (two atomic operations)
          // on every frame.
          if (published_.params != frames_.back()->params) published_.params = frames_.back()->params;
        }
        for (media::FramePtr& f : frames_) {
          if (stopped_ || c.closed) break;
          on_frame_(std::move(f));
        }
      }
    } else {
      st = c.receiver->OnRtcp(data, clock_.WallNow());
    }
    if (!st.ok()) {
      int suppressed = 0;
      if (log_limiter_.Allow(clock_.Now(), &suppressed)) {
        SL_LOG(kDebug) << log_name_ << " bad packet: " << st;
      }
    }
  }

  std::string StallMessage() const {
    return "stalled: no frame for " + std::to_string(options_.stall_timeout.count()) + " ms";
  }

  awaitable<Status> Stream(std::shared_ptr<Connection> conn) {
    conn->playing = true;
    conn->play_time = clock_.Now();
    conn->rr_ssrc = static_cast<uint32_t>(rng_());
    conn->next_keepalive = conn->play_time + KeepaliveInterval(*conn);
    conn->next_rtcp = conn->play_time + std::chrono::seconds(1);
    SetDeadline(*conn, options_.stall_timeout, StallMessage());
    {
      MutexLock lock(mu_);
      ++published_.connections;
    }
    SetState(ClientState::kPlaying);
    SL_LOG(kInfo) << log_name_ << " playing transport="
                  << (options_.transport == TransportMode::kTcp ? "tcp" : "udp");
    // Over TCP this loop carries the media; over UDP it carries keepalive responses and tells
    // us when the camera closes the session.
    for (;;) {
      for (;;) {
        Result<std::optional<StreamSplitter::Item>> item = conn->splitter.Next();
        if (!item.ok()) co_return std::move(item).status().WithContext("RTSP connection");
        if (!item->has_value()) break;
        StreamSplitter::Item& it = **item;
        if (it.kind == StreamSplitter::Item::Kind::kInterleaved) OnInterleaved(*conn, it.channel, it.data);
        if (conn->closed) co_return conn->error;
      }
      std::span<uint8_t> buf = conn->splitter.PrepareWrite(kReadChunk);
      auto [ec, n] = co_await conn->socket.async_read_some(asio::buffer(buf.data(), buf.size()), kUseTuple);
      if (ec) co_return ConnectionError(*conn, "reading", ec);
      conn->splitter.Commit(n);
    }
  }

  Strand strand_;
  const ClientOptions options_;
  const FrameCallback on_frame_;
  const Clock& clock_;
  asio::steady_timer backoff_timer_;
  bool retry_now_ = false;  // on the strand
  std::mt19937 rng_;
  LogRateLimiter log_limiter_;
  std::string log_name_;
  RtspUrl url_;
  Credentials credentials_;
  std::shared_ptr<Connection> conn_;
  std::vector<media::FramePtr> frames_;  // scratch, reused per packet
  bool running_ = false;
  bool stopped_ = false;
  std::vector<std::function<void()>> stop_callbacks_;

  // Counters of the live connection, published at each frame.
  struct LiveStats {
    ReceiverStats receiver;
    uint64_t frames_dropped = 0;
    uint64_t stray_packets = 0;
    uint64_t skipped_bytes = 0;
  };
  mutable Mutex mu_;  // guards the two fields below, read by stats() from any thread
  ClientStats published_ SL_GUARDED_BY(mu_);  // totals of finished connections, and state
  LiveStats current_ SL_GUARDED_BY(mu_);
};

Client::Client(asio::any_io_executor executor, ClientOptions options, FrameCallback on_frame, const Clock& clock)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(on_frame), clock)) {}

Client::~Client() { impl_->Stop({}); }

void Client::Start() { impl_->Start(); }
void Client::Stop(std::function<void()> on_stopped) { impl_->Stop(std::move(on_stopped)); }
void Client::RetryNow() { impl_->RetryNow(); }
ClientStats Client::stats() const { return impl_->stats(); }

}  // namespace sightline::rtsp
