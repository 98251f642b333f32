// bench_io_floor: the operating system's share of receiving (and recording) RTSP cameras, i.e.
// the floor under any recorder's CPU on this machine. It plays N cameras over RTSP/TCP and
// then does nothing but move their bytes:
//   receive: epoll (level-triggered), one recv of up to 64 KiB per ready socket, bytes dropped;
//   record:  the same plus a write() of every byte to one file per camera and, every
//            --flush-ms, an fdatasync of each file that grew (what Sightline's durability does);
//            with --direct, the files are opened O_DIRECT and written in aligned 256 KiB blocks
//            (no page cache copy; a partial block is not written, which a recorder could not
//            afford, so this is a lower bound).
// No RTP parsing, no frames, no index: whatever a real recorder spends above this figure is its
// own. bench/io_floor.py runs it beside Sightline and ffmpeg on the same cameras.
//   usage: bench_io_floor --url rtsp://HOST:PORT/PREFIX --cameras N --seconds S
//                         [--record DIR [--direct]] [--flush-ms 1000]
// The cameras are PREFIX0 .. PREFIX{N-1}. Prints one line: cameras, seconds, bytes.
#include <fcntl.h>
#include <netdb.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/flags.h"
#include "rtsp/message.h"
#include "rtsp/sdp.h"
#include "rtsp/url.h"

using namespace sightline;
using Steady = std::chrono::steady_clock;

namespace {

struct Camera {
  std::string url;
  int fd = -1;
  int file = -1;
  int cseq = 0;
  std::string session;
  bool dirty = false;
  uint8_t* block = nullptr;  // --direct: the block being filled
  size_t block_used = 0;
};

constexpr size_t kDirectBlock = 256 * 1024;

bool SendAll(int fd, const std::string& s) {
  for (size_t off = 0; off < s.size();) {
    const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Sends a request and reads its response on the blocking socket, with the project's own RTSP
// message parser. Bytes after the response (media after PLAY) are dropped: the floor does
// not parse media.
std::string RequestText(Camera& c, const std::string& method, const std::string& url,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
  rtsp::RtspMessage req;
  req.method = method;
  req.uri = url;
  req.AddHeader("CSeq", std::to_string(++c.cseq));
  for (auto& [k, v] : headers) req.AddHeader(std::move(k), std::move(v));
  if (!c.session.empty()) req.AddHeader("Session", c.session);
  return req.Serialize();
}

Result<rtsp::RtspMessage> Request(Camera& c, const std::string& method, const std::string& url,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  if (!SendAll(c.fd, RequestText(c, method, url, std::move(headers)))) {
    return UnavailableError(method + ": send failed");
  }
  std::string in;
  char buf[4096];
  for (;;) {
    rtsp::RtspMessage resp;
    ASSIGN_OR_RETURN(const size_t used, rtsp::ParseRtspMessage(in, &resp));
    if (used > 0) {
      if (resp.status_code != 200) return UnavailableError(method + ": " + std::to_string(resp.status_code));
      return resp;
    }
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) return UnavailableError(method + ": connection closed");
    in.append(buf, static_cast<size_t>(n));
  }
}

int Connect(const rtsp::RtspUrl& url) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  if (getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &ai) != 0) return -1;
  const int fd = socket(ai->ai_family, SOCK_STREAM, 0);
  if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    close(fd);
    freeaddrinfo(ai);
    return -1;
  }
  freeaddrinfo(ai);
  return fd;
}

// DESCRIBE, SETUP of the first video track over TCP interleaved, PLAY.
Status Play(Camera& c) {
  ASSIGN_OR_RETURN(const rtsp::RtspUrl url, rtsp::ParseRtspUrl(c.url));
  c.fd = Connect(url);
  if (c.fd < 0) return UnavailableError("cannot connect");
  ASSIGN_OR_RETURN(const rtsp::RtspMessage describe, Request(c, "DESCRIBE", c.url, {{"Accept", "application/sdp"}}));
  ASSIGN_OR_RETURN(const rtsp::Sdp sdp, rtsp::ParseSdp(describe.body));
  const auto video = std::find_if(sdp.media.begin(), sdp.media.end(), [](const auto& m) { return m.type == "video"; });
  if (video == sdp.media.end()) return InvalidArgumentError("no video track");
  ASSIGN_OR_RETURN(const rtsp::RtspMessage setup,
                   Request(c, "SETUP", rtsp::ResolveControlUrl(c.url, video->control),
                           {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}}));
  ASSIGN_OR_RETURN(const rtsp::SessionHeader session, rtsp::ParseSessionHeader(setup.Header("Session").value_or("")));
  c.session = session.id;
  return Request(c, "PLAY", c.url, {{"Range", "npt=0.000-"}}).status();
}

}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"url"}, {"cameras"}, {"seconds"}, {"record"}, {"direct", false}, {"flush-ms"}}, argc, argv, 1);
  if (!flags.ok() || flags->help() || flags->Get("url", "").empty()) {
    std::fprintf(stderr, "usage: bench_io_floor --url rtsp://HOST:PORT/PREFIX --cameras N --seconds S "
                         "[--record DIR [--direct]] [--flush-ms 1000]\n");
    return 2;
  }
  const std::string prefix = flags->Get("url", "");
  const Result<int64_t> cameras = flags->GetInt("cameras", 1);
  const Result<double> seconds = flags->GetDouble("seconds", 60);
  const Result<int64_t> flush_ms = flags->GetInt("flush-ms", 1000);
  const std::string record_dir = flags->Get("record", "");
  const bool direct = flags->Has("direct");
  if (!cameras.ok() || !seconds.ok() || !flush_ms.ok() || *cameras < 1 || *flush_ms < 1) {
    std::fprintf(stderr, "--cameras, --seconds and --flush-ms must be positive numbers\n");
    return 2;
  }
  std::vector<Camera> cams(static_cast<size_t>(*cameras));
  const int ep = epoll_create1(0);
  for (size_t i = 0; i < cams.size(); ++i) {
    Camera& c = cams[i];
    c.url = prefix + std::to_string(i);
    if (Status st = Play(c); !st.ok()) {
      std::fprintf(stderr, "%s: could not play: %s\n", c.url.c_str(), st.ToString().c_str());
      return 1;
    }
    if (!record_dir.empty()) {
      const std::string path = record_dir + "/cam" + std::to_string(i) + ".bin";
      c.file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? O_DIRECT : 0), 0644);
      if (direct) c.block = static_cast<uint8_t*>(std::aligned_alloc(4096, kDirectBlock));
      if (c.file < 0) {
        std::perror(path.c_str());
        return 1;
      }
    }
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }

  std::vector<uint8_t> buf(64 * 1024);
  std::vector<epoll_event> events(256);
  uint64_t bytes = 0;
  const Steady::time_point start = Steady::now();
  const Steady::time_point end = start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(*seconds));
  const auto flush_every = std::chrono::milliseconds(*flush_ms);
  const auto keepalive_every = std::chrono::seconds(20);
  Steady::time_point next_flush = start + flush_every;
  Steady::time_point next_keepalive = start + keepalive_every;
  for (;;) {
    const Steady::time_point now = Steady::now();
    if (now >= end) break;
    if (now >= next_keepalive) {  // camsim ends sessions without a request for a minute
      next_keepalive = now + keepalive_every;
      for (Camera& c : cams) SendAll(c.fd, RequestText(c, "OPTIONS", c.url));
    }
    if (!record_dir.empty() && now >= next_flush) {
      next_flush = now + flush_every;
      for (Camera& c : cams) {
        if (c.dirty) fdatasync(c.file);
        c.dirty = false;
      }
    }
    const Steady::time_point wake = std::min<Steady::time_point>({end, next_keepalive, record_dir.empty() ? end : next_flush});
    const int timeout_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int e = 0; e < n; ++e) {
      Camera& c = cams[events[static_cast<size_t>(e)].data.u64];
      const ssize_t got = recv(c.fd, buf.data(), buf.size(), 0);
      if (got <= 0) {
        std::fprintf(stderr, "%s: connection ended\n", c.url.c_str());
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        continue;
      }
      bytes += static_cast<uint64_t>(got);
      if (c.block != nullptr) {
        for (size_t off = 0; off < static_cast<size_t>(got);) {
          const size_t n = std::min(static_cast<size_t>(got) - off, kDirectBlock - c.block_used);
          std::memcpy(c.block + c.block_used, buf.data() + off, n);
          off += n;
          c.block_used += n;
          if (c.block_used == kDirectBlock) {
            if (write(c.file, c.block, kDirectBlock) != static_cast<ssize_t>(kDirectBlock)) {
              std::perror("write");
              return 1;
            }
            c.block_used = 0;
            c.dirty = true;
          }
        }
      } else if (c.file >= 0) {
        if (write(c.file, buf.data(), static_cast<size_t>(got)) != got) {
          std::perror("write");
          return 1;
        }
        c.dirty = true;
      }
    }
  }
  std::printf("cameras=%zu seconds=%.1f bytes=%llu\n", cams.size(),
              std::chrono::duration<double>(Steady::now() - start).count(), static_cast<unsigned long long>(bytes));
  return 0;
}
