// The client against a fake camera: a small Beast HTTP server on 127.0.0.1 (port 0) that
// checks WS-Security tokens on its own (skewed) clock or HTTP Digest, like real firmware.
#include "onvif/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/mutex.h"
#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// Serves each connection with `handler`, after `delay` (a slow camera).
class TestHttpServer {
 public:
  using Handler = std::function<Response(const Request&)>;
  explicit TestHttpServer(Handler handler) : handler_(std::move(handler)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestHttpServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void set_delay(std::chrono::milliseconds d) { delay_ms_ = d.count(); }

 private:
  struct Session {
    explicit Session(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    tcp::socket socket;
    asio::steady_timer timer;
    beast::flat_buffer buffer;
    Request request;
    Response response;
  };
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<Session>(std::move(socket));
      bhttp::async_read(s->socket, s->buffer, s->request, [this, s](beast::error_code ec2, size_t) {
        if (ec2) return;
        s->response = handler_(s->request);
        s->response.prepare_payload();
        s->timer.expires_after(std::chrono::milliseconds(delay_ms_.load()));
        s->timer.async_wait([s](beast::error_code) {
          bhttp::async_write(s->socket, s->response, [s](beast::error_code, size_t) {});
        });
      });
      Accept();
    });
  }
  Handler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::atomic<int64_t> delay_ms_{0};
  std::thread thread_;
};

std::string Envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope "
         "xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tt=\"http://www.onvif.org/ver10/schema\" "
         "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
         "xmlns:tr2=\"http://www.onvif.org/ver20/media/wsdl\" xmlns:ter=\"http://www.onvif.org/ver10/error\">"
         "<SOAP-ENV:Body>" + body + "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
}

std::string DateTimeBody(WallTime t) {
  const std::string s = FormatDateTime(t);  // 2026-02-28T23:59:58Z
  auto num = [&](size_t pos, size_t n) { return std::to_string(std::stoi(s.substr(pos, n))); };
  return "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType>"
         "<tt:UTCDateTime><tt:Time><tt:Hour>" + num(11, 2) + "</tt:Hour><tt:Minute>" + num(14, 2) +
         "</tt:Minute><tt:Second>" + num(17, 2) + "</tt:Second></tt:Time><tt:Date><tt:Year>" + num(0, 4) +
         "</tt:Year><tt:Month>" + num(5, 2) + "</tt:Month><tt:Day>" + num(8, 2) +
         "</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>";
}

std::string Profile2(const std::string& token, const std::string& enc, int w, int h) {
  return "<tr2:Profiles token=\"" + token + "\"><tr2:Name>" + token + "</tr2:Name><tr2:Configurations>"
         "<tr2:VideoEncoder token=\"v\"><tt:Encoding>" + enc + "</tt:Encoding><tt:Resolution><tt:Width>" +
         std::to_string(w) + "</tt:Width><tt:Height>" + std::to_string(h) +
         "</tt:Height></tt:Resolution></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>";
}

const char* kNotAuthorized =
    "<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value><SOAP-ENV:Subcode>"
    "<SOAP-ENV:Value>ter:NotAuthorized</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code><SOAP-ENV:Reason>"
    "<SOAP-ENV:Text xml:lang=\"en\">Sender not Authorized</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>";

// A camera: Device, Media1 and Media2 on their own paths, XAddrs pointing at an internal
// address (to be rebased), its clock `skew` away from ours, accepting WS tokens and/or Digest.
class FakeCamera {
 public:
  struct Options {
    bool token = true;
    bool digest = false;
    std::chrono::seconds skew{0};
    std::string password = "s3cret";
  };
  explicit FakeCamera(Options o) : o_(o), server_([this](const Request& r) { return Handle(r); }) {}

  std::string host() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  TestHttpServer& server() { return server_; }
  int requests() const {
    MutexLock l(mu_);
    return requests_;
  }
  int digest_challenges() const {
    MutexLock l(mu_);
    return challenges_;
  }

 private:
  Response Reply(bhttp::status status, const std::string& body) {
    Response r(status, 11);
    r.set(bhttp::field::content_type, "application/soap+xml; charset=utf-8");
    r.body() = Envelope(body);
    return r;
  }

  // Whether the request is authenticated: a valid token (on the camera's clock) or Digest.
  bool Authorized(const Request& req, const std::string& body) {
    const WallTime camera_now = std::chrono::system_clock::now() + o_.skew;
    if (o_.token) {
      auto doc = ParseXml(body);
      if (doc.ok()) {
        auto token = ParseUsernameToken(Child((*doc)->document_element(), "Header"));
        if (token.ok() && token->user == "admin" && VerifyUsernameToken(*token, o_.password, camera_now, 300s).ok()) {
          return true;
        }
      }
    }
    if (o_.digest) {
      auto it = req.find(bhttp::field::authorization);
      return it != req.end() &&
             rtsp::VerifyDigestAuthorization(std::string(it->value()), {"admin", o_.password}, "cam", "n0nce", "POST");
    }
    return false;
  }

  Response Handle(const Request& req) {
    {
      MutexLock l(mu_);
      ++requests_;
    }
    const std::string& body = req.body();
    const std::string type(req[bhttp::field::content_type]);
    if (type.find("application/soap+xml") == std::string::npos || type.find("action=\"http://") == std::string::npos) {
      return Reply(bhttp::status::bad_request, "<wrong-content-type/>");
    }
    if (body.find("GetSystemDateAndTime") != std::string::npos) {
      return Reply(bhttp::status::ok, DateTimeBody(std::chrono::system_clock::now() + o_.skew));
    }
    if (!Authorized(req, body)) {
      if (o_.digest) {
        Response r(bhttp::status::unauthorized, 11);
        r.set(bhttp::field::www_authenticate, "Digest realm=\"cam\", qop=\"auth\", nonce=\"n0nce\"");
        MutexLock l(mu_);
        ++challenges_;
        return r;
      }
      return Reply(bhttp::status::bad_request, kNotAuthorized);
    }
    return Reply(bhttp::status::ok, Answer(body));
  }

  std::string Answer(const std::string& body) {
    if (body.find("GetDeviceInformation") != std::string::npos) {
      return "<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Manufacturer><tds:Model>Cam 9</tds:Model>"
             "<tds:FirmwareVersion>1.2.3</tds:FirmwareVersion><tds:SerialNumber>SN1</tds:SerialNumber>"
             "<tds:HardwareId>H1</tds:HardwareId></tds:GetDeviceInformationResponse>";
    }
    if (body.find("GetServices") != std::string::npos) {
      return "<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace>"
             "<tds:XAddr>http://10.255.0.1:9999/onvif/media</tds:XAddr></tds:Service><tds:Service>"
             "<tds:Namespace>http://www.onvif.org/ver20/media/wsdl</tds:Namespace>"
             "<tds:XAddr>http://10.255.0.1:9999/onvif/media2</tds:XAddr></tds:Service></tds:GetServicesResponse>";
    }
    if (body.find("GetProfiles") != std::string::npos) {
      return "<tr2:GetProfilesResponse>" + Profile2("main", "H265", 2560, 1440) + Profile2("sub", "H264", 640, 360) +
             "</tr2:GetProfilesResponse>";
    }
    if (body.find("GetStreamUri") != std::string::npos) {
      const bool sub = body.find(">sub<") != std::string::npos;
      return std::string("<tr2:GetStreamUriResponse><tr2:Uri>rtsp://admin:s3cret@10.255.0.1/") +
             (sub ? "sub" : "main") + "?a=1&b=2</tr2:Uri></tr2:GetStreamUriResponse>";  // raw '&': the quirk
    }
    if (body.find("GetSnapshotUri") != std::string::npos) {
      return "<tr2:GetSnapshotUriResponse><tr2:Uri>http://10.255.0.1/snap.jpg</tr2:Uri></tr2:GetSnapshotUriResponse>";
    }
    return "<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Receiver</SOAP-ENV:Value><SOAP-ENV:Subcode>"
           "<SOAP-ENV:Value>ter:ActionNotSupported</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code></SOAP-ENV:Fault>";
  }

  Options o_;
  mutable Mutex mu_;
  int requests_ SL_GUARDED_BY(mu_) = 0;
  int challenges_ SL_GUARDED_BY(mu_) = 0;
  TestHttpServer server_;
};

ClientOptions Admin(const std::string& password = "s3cret") {
  ClientOptions o;
  o.credentials = {"admin", password};
  o.call_timeout = 3s;
  return o;
}

void ExpectFullProbe(const ProbeResult& r, const FakeCamera& cam) {
  EXPECT_FALSE(r.needs_credentials);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.info.manufacturer, "Acme");
  EXPECT_EQ(r.info.model, "Cam 9");
  EXPECT_EQ(r.info.firmware_version, "1.2.3");
  // Rebased onto where we reached the camera, not its internal 10.255.0.1:9999.
  EXPECT_EQ(r.services.media2.ToString(), "http://127.0.0.1:" + cam.host().substr(10) + "/onvif/media2");
  ASSERT_TRUE(r.main && r.sub);
  EXPECT_EQ(r.main->encoding, VideoEncoding::kH265);
  EXPECT_EQ(r.main->width, 2560);
  EXPECT_EQ(r.sub->width, 640);
  EXPECT_EQ(r.main_uri, "rtsp://10.255.0.1/main?a=1&b=2");  // no credentials, '&' recovered
  EXPECT_EQ(r.sub_uri, "rtsp://10.255.0.1/sub?a=1&b=2");
  EXPECT_EQ(r.snapshot_uri, "http://10.255.0.1/snap.jpg");
}

// A camera two hours ahead that refuses tokens more than 5 minutes off its clock: the token is
// created on the camera's clock, measured first without authentication.
TEST(OnvifClientTest, TokenAuthOnASkewedCameraClock) {
  FakeCamera cam({.token = true, .digest = false, .skew = 2h});
  auto r = ProbeDevice(cam.host(), Admin());
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFullProbe(*r, cam);
  EXPECT_EQ(r->auth_mode, AuthMode::kUsernameToken);
  ASSERT_TRUE(r->clock_offset);
  EXPECT_NEAR(static_cast<double>(r->clock_offset->count()), 7200e3, 2000);
}

// The same camera, but its clock cannot be read: tokens on our clock are refused, and the
// probe says credentials were refused rather than failing.
TEST(OnvifClientTest, TokensOnOurClockAreRefusedBySkewedCamera) {
  FakeCamera cam({.token = true, .digest = false, .skew = 2h});
  Device device(*DeviceServiceUrl(cam.host()), Admin());
  auto info = device.GetDeviceInformation();  // no MeasureClock first
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(info.status().message().find("GetDeviceInformation: credentials refused: SOAP Fault"), std::string::npos)
      << info.status();
  ASSERT_TRUE(device.MeasureClock().ok());
  auto again = device.GetDeviceInformation();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->serial_number, "SN1");
}

// A digest-only camera: the token call gets 401 with a challenge; HTTP Digest is used from
// then on, pre-emptively (one challenge for the whole probe).
TEST(OnvifClientTest, DigestOnlyCamera) {
  FakeCamera cam({.token = false, .digest = true});
  auto r = ProbeDevice(cam.host(), Admin());
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFullProbe(*r, cam);
  EXPECT_EQ(r->auth_mode, AuthMode::kHttpDigest);
  EXPECT_EQ(cam.digest_challenges(), 1);
  // clock, info (2), services, profiles, 2 stream URIs, snapshot
  EXPECT_EQ(cam.requests(), 8);
}

TEST(OnvifClientTest, WithoutCredentialsTheProbeSaysTheyAreNeeded) {
  FakeCamera cam({.token = true, .digest = true});
  auto r = ProbeDevice(cam.host(), ClientOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->needs_credentials);
  ASSERT_TRUE(r->clock_offset);  // GetSystemDateAndTime needs none
  ASSERT_FALSE(r->problems.empty());
  EXPECT_NE(r->problems[0].find("credentials needed"), std::string::npos) << r->problems[0];
  EXPECT_TRUE(r->main_uri.empty());
}

TEST(OnvifClientTest, WrongPasswordIsRefusedForBothSchemes) {
  for (bool digest : {false, true}) {
    FakeCamera cam({.token = !digest, .digest = digest});
    auto r = ProbeDevice(cam.host(), Admin("wrong"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->needs_credentials);
    ASSERT_FALSE(r->problems.empty());
    EXPECT_NE(r->problems[0].find("credentials refused"), std::string::npos) << r->problems[0];
    EXPECT_EQ(r->problems[0].find("wrong"), std::string::npos);  // the password is never shown
  }
}

TEST(OnvifClientTest, ASlowCameraHitsTheDeadline) {
  FakeCamera cam({});
  cam.server().set_delay(3s);
  ClientOptions o = Admin();
  o.call_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = ProbeDevice(cam.host(), o);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_NE(r.status().message().find("GetSystemDateAndTime"), std::string::npos) << r.status();
  EXPECT_LT(took, 2s);
}

TEST(OnvifClientTest, DeviceBudgetEndsAProbe) {
  FakeCamera cam({});
  cam.server().set_delay(200ms);
  ClientOptions o = Admin();
  o.device_timeout = 500ms;  // room for two of the eight calls
  const auto start = std::chrono::steady_clock::now();
  auto r = ProbeDevice(cam.host(), o);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->problems.empty());
  EXPECT_NE(r->problems.back().find("deadline"), std::string::npos) << r->problems.back();
}

TEST(OnvifClientTest, NothingListeningIsUnavailable) {
  auto r = ProbeDevice("127.0.0.1:1", Admin());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status();
}

TEST(OnvifClientTest, OversizedAndNonSoapRepliesAreErrors) {
  TestHttpServer html([](const Request&) {
    Response r(bhttp::status::internal_server_error, 11);
    r.body() = "<html>oops</html>";
    return r;
  });
  Device device(*DeviceServiceUrl("127.0.0.1:" + std::to_string(html.port())), Admin());
  auto clock = device.MeasureClock();
  ASSERT_FALSE(clock.ok());
  EXPECT_NE(clock.status().message().find("HTTP 500"), std::string::npos) << clock.status();

  TestHttpServer big([](const Request&) {
    Response r(bhttp::status::ok, 11);
    r.body() = std::string(4096, 'x');
    return r;
  });
  ClientOptions o = Admin();
  o.max_response_bytes = 1024;
  Device small(*DeviceServiceUrl("127.0.0.1:" + std::to_string(big.port())), o);
  EXPECT_EQ(small.MeasureClock().status().code(), StatusCode::kResourceExhausted);
}

TEST(OnvifClientTest, CancelEndsACallInProgressAndEveryLaterOne) {
  FakeCamera cam({});
  cam.server().set_delay(5s);  // a pull held open
  ClientOptions o = Admin();
  o.call_timeout = 10s;
  o.cancellation = std::make_shared<Cancellation>();
  std::thread canceller([c = o.cancellation] {
    std::this_thread::sleep_for(200ms);
    c->Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = ProbeDevice(cam.host(), o);
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status();
  EXPECT_LT(took, 2s);
  // Later calls fail at once, and Sleep does not wait.
  EXPECT_EQ(ProbeDevice(cam.host(), o).status().code(), StatusCode::kCancelled);
  EXPECT_FALSE(o.cancellation->Sleep(10s));
}

TEST(OnvifClientTest, SleepWaitsUnlessCancelled) {
  Cancellation c;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.Sleep(50ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

}  // namespace
}  // namespace sightline::onvif
