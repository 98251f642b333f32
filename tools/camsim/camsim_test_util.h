#pragma once
// Test helpers for camsim's unit tests: the shared footage, synthetic clips, a server running
// on its own thread, and a tiny blocking RTSP client over a raw socket that records every
// interleaved frame. Header-only; test code only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/bytes.h"
#include "media/nal.h"
#include "media/test_param_sets.h"
#include "rtsp/depacketizer.h"
#include "rtsp/interleaved.h"
#include "rtsp/message.h"
#include "rtsp/rtp.h"
#include "rtsp/sdp.h"
#include "tools/camsim/clip.h"
#include "tools/camsim/server.h"

namespace sightline::camsim::testing {

using Steady = std::chrono::steady_clock;

// ../shared/media (see its README): $SIGHTLINE_MEDIA_DIR, else beside the repository. Empty if
// absent.
inline std::string MediaDir() {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("SIGHTLINE_MEDIA_DIR")) candidates.emplace_back(env);
  candidates.push_back(std::filesystem::path(__FILE__).parent_path() / "../../../shared/media");
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(c / "pets2009_s2l1_360p10_400k.h264.mp4", ec)) return c.string();
  }
  return "";
}

inline std::string MediaFile(const char* name) {
  const std::string dir = MediaDir();
  return dir.empty() ? "" : dir + "/" + name;
}

inline constexpr const char* kPets360p = "pets2009_s2l1_360p10_400k.h264.mp4";
inline constexpr const char* kPets1080p = "pets2009_s2l1_1080p10_4M.h264.mp4";
inline constexpr const char* kPetsH265 = "pets2009_s2l1_1080p10_1500k.h265.mp4";

// A NAL unit of `size` bytes with header byte `header` and a body without 00 00 sequences.
inline Bytes FakeNal(uint8_t header, size_t size, uint8_t seed) {
  Bytes nal(size);
  nal[0] = header;
  for (size_t i = 1; i < size; ++i) nal[i] = static_cast<uint8_t>(0x80 | ((i * 7 + seed) & 0x7f));
  return nal;
}

// An H.264 clip of `frames` frames at 10 fps with a keyframe (SPS, PPS, IDR) every `gop`
// frames; the SPS/PPS are the real 360p footage's (1080p's with `hd`), the slices are filler.
inline std::shared_ptr<const Clip> SyntheticClip(int frames, int gop, size_t slice_bytes = 3000,
                                                 bool hd = false) {
  Clip::Input in;
  in.source = "synthetic";
  in.codec = media::Codec::kH264;
  for (int i = 0; i < frames; ++i) {
    ClipFrame f;
    f.dts = f.pts = media::Time90k(i * 9000);
    if (i % gop == 0) {
      if (hd) {
        media::AppendLengthPrefixed(media::testdata::kPets1080pH264Sps, f.data);
        media::AppendLengthPrefixed(media::testdata::kPets1080pH264Pps, f.data);
      } else {
        media::AppendLengthPrefixed(media::testdata::kPets360pH264Sps, f.data);
        media::AppendLengthPrefixed(media::testdata::kPets360pH264Pps, f.data);
      }
      media::AppendLengthPrefixed(FakeNal(0x65, slice_bytes, static_cast<uint8_t>(i)), f.data);
    } else {
      media::AppendLengthPrefixed(FakeNal(0x41, slice_bytes / 4, static_cast<uint8_t>(i)), f.data);
    }
    in.frames.push_back(std::move(f));
  }
  in.duration = media::Time90k(frames * 9000);
  auto clip = Clip::Build(std::move(in));
  return clip.ok() ? *clip : nullptr;
}

// A unique path in the temp directory; the file is removed with this object.
class TempFile {
 public:
  explicit TempFile(const std::string& suffix) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() / ("camsim_test_" + std::to_string(::getpid()) +
                                                       "_" + std::to_string(++counter) + suffix))
                .string();
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes a clip's frames as a raw Annex B stream (4-byte start codes).
inline bool WriteAnnexB(const Clip& clip, const std::string& path) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return false;
  static constexpr uint8_t kStart[] = {0, 0, 0, 1};
  for (const ClipFrame& f : clip.frames()) {
    auto nals = media::SplitLengthPrefixed(f.data, 4);
    if (!nals.ok()) continue;
    for (ByteSpan nal : *nals) {
      std::fwrite(kStart, 1, 4, out);
      std::fwrite(nal.data(), 1, nal.size(), out);
    }
  }
  return std::fclose(out) == 0;
}

// A raw H.264 file of SyntheticClip(frames, gop, 3000, hd); null on failure.
inline std::unique_ptr<TempFile> SyntheticH264File(int frames, int gop, bool hd = false) {
  auto clip = SyntheticClip(frames, gop, 3000, hd);
  auto file = std::make_unique<TempFile>(".h264");
  if (clip == nullptr || !WriteAnnexB(*clip, file->path())) return nullptr;
  return file;
}

// A Server on its own io thread for the test's lifetime.
class RunningServer {
 public:
  static std::unique_ptr<RunningServer> Start(Options options) {
    auto r = std::make_unique<RunningServer>();
    Result<std::unique_ptr<Server>> server = Server::Start(r->io_, std::move(options));
    if (!server.ok()) {
      r->status_ = server.status();
      return r;
    }
    r->server_ = std::move(*server);
    r->thread_ = std::thread([io = &r->io_] { io->run(); });
    return r;
  }
  ~RunningServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) {
      // Let the posted Stop() run, then end the loop.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      io_.stop();
      thread_.join();
    }
    server_.reset();
  }
  const Status& status() const { return status_; }
  Server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  std::string Url(const std::string& camera) const {
    return "rtsp://127.0.0.1:" + std::to_string(port()) + "/" + camera;
  }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  Status status_;
};

// The cameras' clock in tests: their sender reports are compared with arrival times.
inline const Clock& TestCameraClock() {
  static const SteadyWallClock clock;
  return clock;
}

inline Options TestOptions(std::vector<std::string> specs, double speed = 8) {
  Options o;
  o.listen = "127.0.0.1:0";
  o.clock = &TestCameraClock();
  o.speed = speed;
  o.seed = 42;
  for (const std::string& s : specs) {
    auto parsed = ParseCameraSpec(s);
    if (parsed.ok()) {
      for (CameraSpec& c : *parsed) o.cameras.push_back(std::move(c));
    }
  }
  return o;
}

struct ReceivedFrame {
  uint8_t channel = 0;
  Bytes data;
  Steady::time_point arrival;
};

// A blocking RTSP client for tests: requests in, responses and interleaved frames out.
class TestRtspClient {
 public:
  // `rcvbuf_bytes` > 0 shrinks the socket's receive buffer (slow-reader tests).
  static std::unique_ptr<TestRtspClient> Connect(uint16_t port, int rcvbuf_bytes = 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return nullptr;
    if (rcvbuf_bytes > 0) {
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof(rcvbuf_bytes));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return nullptr;
    }
    return std::unique_ptr<TestRtspClient>(new TestRtspClient(fd));
  }
  ~TestRtspClient() { ::close(fd_); }

  bool SendRaw(std::string_view text) {
    size_t off = 0;
    while (off < text.size()) {
      const ssize_t n = ::send(fd_, text.data() + off, text.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Sends a request and waits for its response.
  std::optional<rtsp::RtspMessage> Request(
      const std::string& method, const std::string& uri,
      const std::vector<std::pair<std::string, std::string>>& headers = {},
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::string text =
        method + " " + uri + " RTSP/1.0\r\nCSeq: " + std::to_string(++cseq_) + "\r\n";
    for (const auto& [k, v] : headers) text += k + ": " + v + "\r\n";
    text += "\r\n";
    if (!SendRaw(text)) return std::nullopt;
    const auto deadline = Steady::now() + timeout;
    while (responses_.empty()) {
      if (!Fill(deadline)) return std::nullopt;
    }
    rtsp::RtspMessage m = std::move(responses_.front());
    responses_.pop_front();
    return m;
  }

  std::optional<ReceivedFrame> NextFrame(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = Steady::now() + timeout;
    while (frames_.empty()) {
      if (!Fill(deadline)) return std::nullopt;
    }
    ReceivedFrame f = std::move(frames_.front());
    frames_.pop_front();
    return f;
  }

  // Reads (and keeps) everything until the server closes the connection or the timeout.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    while (!eof_) {
      if (!Fill(deadline) && !eof_) return false;
    }
    return true;
  }

  bool eof() const { return eof_; }
  uint64_t skipped_bytes() const { return splitter_.skipped_bytes(); }
  // Responses that arrived without being asked for by Request() (none expected).
  size_t frames_buffered() const { return frames_.size(); }
  // The order in which items arrived: 'R' response, or the interleaved channel number.
  const std::vector<int>& arrival_order() const { return order_; }

 private:
  explicit TestRtspClient(int fd) : fd_(fd) {}

  bool Fill(Steady::time_point deadline) {
    if (eof_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    std::span<uint8_t> space = splitter_.PrepareWrite(65536);
    const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    splitter_.Commit(static_cast<size_t>(n));
    for (;;) {
      auto item = splitter_.Next();
      if (!item.ok() || !item->has_value()) break;
      auto& it = **item;
      if (it.kind == rtsp::StreamSplitter::Item::Kind::kInterleaved) {
        order_.push_back(it.channel);
        frames_.push_back({it.channel, Bytes(it.data.begin(), it.data.end()), Steady::now()});
      } else if (it.message.is_response) {
        order_.push_back('R');
        responses_.push_back(std::move(it.message));
      }
    }
    return true;
  }

  int fd_;
  int cseq_ = 0;
  bool eof_ = false;
  rtsp::StreamSplitter splitter_;
  std::deque<ReceivedFrame> frames_;
  std::deque<rtsp::RtspMessage> responses_;
  std::vector<int> order_;
};

struct PlayResult {
  rtsp::Sdp sdp;
  std::string session;
  std::string rtp_info;
  std::string transport;
};

// OPTIONS, DESCRIBE, SETUP (interleaved, or UDP with `client_ports`), PLAY. Failures are
// reported through the returned Result so tests can ASSERT on them.
inline Result<PlayResult> Play(TestRtspClient& c, const std::string& url,
                               std::optional<std::pair<int, int>> client_ports = std::nullopt) {
  auto options = c.Request("OPTIONS", url);
  if (!options || options->status_code != 200) return InternalError("OPTIONS failed");
  auto describe = c.Request("DESCRIBE", url, {{"Accept", "application/sdp"}});
  if (!describe) return InternalError("DESCRIBE: no response");
  if (describe->status_code != 200) {
    return InternalError("DESCRIBE: " + std::to_string(describe->status_code));
  }
  PlayResult r;
  ASSIGN_OR_RETURN(r.sdp, rtsp::ParseSdp(describe->body));
  if (r.sdp.media.empty()) return InternalError("SDP without media");
  const std::string base = std::string(describe->Header("Content-Base").value_or(url + "/"));
  const std::string track = rtsp::ResolveControlUrl(base, r.sdp.media[0].control);
  const std::string transport =
      client_ports ? "RTP/AVP;unicast;client_port=" + std::to_string(client_ports->first) + "-" +
                         std::to_string(client_ports->second)
                   : "RTP/AVP/TCP;unicast;interleaved=0-1";
  auto setup = c.Request("SETUP", track, {{"Transport", transport}});
  if (!setup || setup->status_code != 200) return InternalError("SETUP failed");
  auto session = rtsp::ParseSessionHeader(setup->Header("Session").value_or(""));
  if (!session.ok()) return session.status();
  r.session = session->id;
  r.transport = std::string(setup->Header("Transport").value_or(""));
  auto play = c.Request("PLAY", base, {{"Session", r.session}, {"Range", "npt=0.000-"}});
  if (!play || play->status_code != 200) return InternalError("PLAY failed");
  r.rtp_info = std::string(play->Header("RTP-Info").value_or(""));
  return r;
}

// The integer after `key=` in an RTP-Info value.
inline std::optional<uint64_t> RtpInfoField(const std::string& rtp_info, const std::string& key) {
  const size_t p = rtp_info.find(key + "=");
  if (p == std::string::npos) return std::nullopt;
  return std::strtoull(rtp_info.c_str() + p + key.size() + 1, nullptr, 10);
}

}  // namespace sightline::camsim::testing
