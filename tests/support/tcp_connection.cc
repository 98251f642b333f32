#include "support/tcp_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sightline::testing {

Result<std::unique_ptr<TcpConnection>> TcpConnection::Connect(const std::string& ipv4,
                                                              uint16_t port, int timeout_ms) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, ipv4.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgumentError("not an IPv4 address: " + ipv4);
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  auto conn = std::make_unique<TcpConnection>(Key(), fd);
  const std::string where = ipv4 + ":" + std::to_string(port);
  // Non-blocking connect, so a dead address fails within the timeout rather than the
  // kernel's minutes.
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) return ErrnoError("connect " + where, errno);
    pollfd p{fd, POLLOUT, 0};
    const int n = poll(&p, 1, timeout_ms);
    if (n < 0) return ErrnoError("poll connect " + where, errno);
    if (n == 0) return DeadlineExceededError("connect " + where + ": timed out");
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return ErrnoError("connect " + where, err);
  }
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return ErrnoError("fcntl", errno);
  }
  return conn;
}

TcpConnection::TcpConnection(Key, int fd) : fd_(fd) {}

TcpConnection::~TcpConnection() { close(fd_); }

Status TcpConnection::Write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("send", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> TcpConnection::Read(int timeout_ms) {
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    const int n = poll(&p, 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll", errno);
    }
    if (n == 0) {
      return DeadlineExceededError("nothing received within " + std::to_string(timeout_ms) + " ms");
    }
    char buf[16384];
    const ssize_t got = recv(fd_, buf, sizeof(buf), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("recv", errno);
    }
    if (got == 0) return OutOfRangeError("connection closed by peer");
    return std::string(buf, static_cast<size_t>(got));
  }
}

}  // namespace sightline::testing
