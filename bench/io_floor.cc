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

// Sends a request and reads its response (headers and a Content-Length body) on a blocking
// socket. Bytes after the response (media after PLAY) are dropped: the floor does not parse.
std::string Request(Camera& c, const std::string& method, const std::string& url, const std::string& headers) {
  std::string req = method + " " + url + " RTSP/1.0\r\nCSeq: " + std::to_string(++c.cseq) + "\r\n" + headers;
  if (!c.session.empty()) req += "Session: " + c.session + "\r\n";
  if (!SendAll(c.fd, req + "\r\n")) return "";
  std::string in;
  char buf[4096];
  for (;;) {
    const size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t body = 0;
      const size_t cl = in.find("Content-Length:");
      if (cl != std::string::npos && cl < end) body = std::strtoul(in.c_str() + cl + 15, nullptr, 10);
      if (in.size() >= end + 4 + body) return in.substr(0, end + 4 + body);
    }
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) return "";
    in.append(buf, static_cast<size_t>(n));
  }
}

std::string HeaderValue(const std::string& response, const std::string& name) {
  const size_t at = response.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t v = at + 3 + name.size();
  while (v < response.size() && response[v] == ' ') ++v;
  return response.substr(v, response.find_first_of(";\r", v) - v);
}

int Connect(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &ai) != 0) return -1;
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
bool Play(Camera& c, const std::string& host, const std::string& port) {
  c.fd = Connect(host, port);
  if (c.fd < 0) return false;
  const std::string sdp = Request(c, "DESCRIBE", c.url, "Accept: application/sdp\r\n");
  const size_t video = sdp.find("m=video");
  const size_t control = sdp.find("a=control:", video == std::string::npos ? 0 : video);
  if (control == std::string::npos) return false;
  const std::string track = sdp.substr(control + 10, sdp.find_first_of("\r\n", control) - control - 10);
  const std::string setup_url = track.rfind("rtsp://", 0) == 0 ? track : c.url + "/" + track;
  const std::string setup = Request(c, "SETUP", setup_url, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  c.session = HeaderValue(setup, "Session");
  if (c.session.empty()) return false;
  return Request(c, "PLAY", c.url, "Range: npt=0.000-\r\n").find(" 200 ") != std::string::npos;
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
  const size_t hostpos = prefix.find("://") + 3;
  const size_t pathpos = prefix.find('/', hostpos);
  const std::string authority = prefix.substr(hostpos, pathpos - hostpos);
  const std::string host = authority.substr(0, authority.find(':'));
  const std::string port = authority.find(':') == std::string::npos ? "554" : authority.substr(authority.find(':') + 1);

  std::vector<Camera> cams(static_cast<size_t>(*cameras));
  const int ep = epoll_create1(0);
  for (size_t i = 0; i < cams.size(); ++i) {
    Camera& c = cams[i];
    c.url = prefix + std::to_string(i);
    if (!Play(c, host, port)) {
      std::fprintf(stderr, "%s: could not play\n", c.url.c_str());
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
      for (Camera& c : cams) {
        SendAll(c.fd, "OPTIONS " + c.url + " RTSP/1.0\r\nCSeq: " + std::to_string(++c.cseq) + "\r\nSession: " +
                          c.session + "\r\n\r\n");
      }
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
