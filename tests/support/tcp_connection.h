#pragma once
// TcpConnection: a blocking TCP client socket with timeouts, for tests that speak a protocol
// by hand to a server under test. Closed in the destructor. Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::testing {

class TcpConnection {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Connects to an IPv4 address ("127.0.0.1") and port within `timeout_ms`.
  static Result<std::unique_ptr<TcpConnection>> Connect(const std::string& ipv4, uint16_t port,
                                                        int timeout_ms = 5000);

  TcpConnection(Key, int fd);  // for Connect only: Key is private
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Sends all of `data`.
  Status Write(std::string_view data);

  // Returns the bytes available (at least one), waiting up to `timeout_ms`. DeadlineExceeded
  // when none came; OutOfRange when the peer closed the connection.
  Result<std::string> Read(int timeout_ms);

 private:
  int fd_;
};

}  // namespace sightline::testing
