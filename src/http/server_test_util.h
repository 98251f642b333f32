#pragma once
// Test helpers for the server: a Server on 127.0.0.1:0 with its own io_context threads, a
// blocking Beast client, a raw socket for bytes no client library would send, and a temp dir.
// For the tests of this folder and of the layers built on it (api/).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "base/mutex.h"
#include "http/server.h"

namespace sightline::http::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sightline_http_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Write(const std::string& relative, const std::string& content) const {
    const std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::string path_;
};

// A started server; the io_context runs on two threads whose ids network_threads() lists.
class TestServer {
 public:
  explicit TestServer(Router router, ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<Server>(io_.get_executor(), std::move(options), std::move(router));
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        {
          MutexLock lock(mu_);
          network_threads_.insert(std::this_thread::get_id());
        }
        io_.run();
      });
    }
  }
  ~TestServer() {
    server_->Stop();
    guard_.reset();
    // Connections end at once after Stop(); a test that leaves one hanging must not hang.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!io_.stopped() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    io_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
  }

  Status Start() { return server_->Start(); }
  uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  bool IsNetworkThread(std::thread::id id) {
    MutexLock lock(mu_);
    return network_threads_.count(id) != 0;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
  Mutex mu_;
  std::set<std::thread::id> network_threads_;
};

// A blocking connection to the server, plain or TLS (asio's client default: certificate
// not verified).
class Client {
 public:
  // `source`: the local address to connect from (any of 127.0.0.0/8 works on Linux), to
  // stand in for another client.
  explicit Client(uint16_t port, bool tls = false, const std::string& source = "")
      : tls_(tls), ssl_ctx_(asio::ssl::context::tls_client), stream_(io_, ssl_ctx_) {
    if (!source.empty()) {
      stream_.next_layer().open(tcp::v4());
      stream_.next_layer().bind(tcp::endpoint(asio::ip::make_address(source), 0));
    }
    stream_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if (tls_) {
      stream_.handshake(asio::ssl::stream_base::client);
    }
  }

  tcp::socket& socket() { return stream_.next_layer(); }

  ClientResponse Send(bhttp::request<bhttp::string_body> req) {
    if (!req.count(bhttp::field::host)) req.set(bhttp::field::host, "127.0.0.1");
    req.prepare_payload();
    if (tls_) {
      bhttp::write(stream_, req);
    } else {
      bhttp::write(socket(), req);
    }
    return Read(req.method() == bhttp::verb::head);
  }

  ClientResponse Get(const std::string& target, std::vector<std::pair<std::string, std::string>> fields = {}) {
    bhttp::request<bhttp::string_body> req(bhttp::verb::get, target, 11);
    for (auto& [k, v] : fields) req.set(k, v);
    return Send(std::move(req));
  }

  ClientResponse Read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256 << 20);
    parser.skip(head);
    if (tls_) {
      bhttp::read(stream_, buffer_, parser);
    } else {
      bhttp::read(socket(), buffer_, parser);
    }
    return parser.release();
  }

  // Raw bytes, for requests a client library would not write.
  void WriteRaw(std::string_view bytes) { asio::write(socket(), asio::buffer(bytes)); }

  // Reads until the server closes the connection or `timeout` passes; returns what came and
  // whether the connection closed.
  std::pair<std::string, bool> ReadUntilClosed(std::chrono::milliseconds timeout) {
    std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    const int fd = socket().native_handle();
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      return {out, n == 0 || (n < 0 && errno == ECONNRESET)};
    }
  }

 private:
  asio::io_context io_;
  bool tls_;
  asio::ssl::context ssl_ctx_;
  asio::ssl::stream<tcp::socket> stream_;
  boost::beast::flat_buffer buffer_;
};

// Polls `done` until it holds or `timeout` passes; returns its last value. For state that
// another thread changes with no event to wait on (the server's counters).
template <class F>
bool WaitFor(F done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A self-signed certificate and key for "localhost", written as PEM files.
inline void WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = fopen(cert_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  fclose(f);
  f = fopen(key_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

}  // namespace sightline::http::testing
