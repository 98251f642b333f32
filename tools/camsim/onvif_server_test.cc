// The ONVIF HTTP server over loopback sockets, in a camsim Server: routing a camera and its
// substream to one device, keep-alive, the request cap, and stream URIs that play.
#include "tools/camsim/onvif_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "onvif/xml.h"
#include "tools/camsim/camsim_test_util.h"
#include "tools/camsim/server.h"

namespace sightline::camsim {
namespace {

using testing::RunningServer;
using testing::TestOptions;
using testing::TestRtspClient;

// A blocking HTTP/1.1 client on one connection.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~HttpClient() { ::close(fd_); }
  bool connected() const { return connected_; }

  // Sends `head` (request line and headers, without the blank line) and `body`; returns the
  // status code and the response body, or status 0 if the connection failed.
  std::pair<int, std::string> Post(const std::string& path, const std::string& body,
                                   const std::string& extra_headers = "") {
    const std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                            "Content-Type: application/soap+xml\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      return {0, ""};
    }
    std::string in;
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t length = 0;
    for (int i = 0; i < 1000; ++i) {
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const size_t cl = in.find("Content-Length: ");
          if (cl == std::string::npos || cl > header_end) return {0, in};
          length = std::stoul(in.substr(cl + 16));
        }
      }
      if (header_end != std::string::npos && in.size() >= header_end + 4 + length) break;
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return {0, in};
      in.append(buf, static_cast<size_t>(n));
    }
    if (in.size() < 12) return {0, in};
    return {std::stoi(in.substr(9, 3)), in.substr(header_end + 4, length)};
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string Envelope(std::string_view body) {
  return R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>)" +
         std::string(body) + "</s:Body></s:Envelope>";
}

TEST(OnvifServerTest, SubstreamsMustBeCamerasOfTheirOwn) {
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  const std::string f = ",file=" + file->path();
  struct Case {
    std::vector<std::string> specs;
    const char* reason;
  };
  const Case cases[] = {
      {{"name=a,sub=b" + f}, "no camera named b"},
      {{"name=a,sub=b" + f, "name=b,sub=c" + f, "name=c" + f}, "substream of its own"},
      {{"name=a,sub=c" + f, "name=b,sub=c" + f, "name=c" + f}, "already"},
  };
  for (const Case& c : cases) {
    boost::asio::io_context io;
    Options o = TestOptions(c.specs);
    o.onvif_listen = "127.0.0.1:0";
    auto r = Server::Start(io, o);
    ASSERT_FALSE(r.ok()) << c.reason;
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << r.status();
  }
}

TEST(OnvifServerTest, ServesProfilesOfACameraAndItsSubstreamOverKeepAlive) {
  auto main_file = testing::SyntheticH264File(20, 10, /*hd=*/true);
  auto sub_file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(main_file, nullptr);
  ASSERT_NE(sub_file, nullptr);
  Options o = TestOptions({"name=cam,sub=cam_low,file=" + main_file->path(),
                           "name=cam_low,file=" + sub_file->path()});
  o.onvif_listen = "127.0.0.1:0";
  auto rs = RunningServer::Start(o);
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  ASSERT_NE(rs->server().onvif_port(), 0);
  HttpClient http(rs->server().onvif_port());
  ASSERT_TRUE(http.connected());

  auto [status, body] = http.Post("/onvif/cam/media_service",
                                  Envelope(R"(<GetProfiles xmlns="http://www.onvif.org/ver10/media/wsdl"/>)"));
  ASSERT_EQ(status, 200) << body;
  auto doc = onvif::ParseXml(body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const pugi::xml_node resp = onvif::Descendant((*doc)->document_element(), "GetProfilesResponse");
  std::vector<int> widths;
  for (pugi::xml_node p : resp.children()) {
    widths.push_back(std::stoi(onvif::ChildText(
        onvif::Child(onvif::Child(p, "VideoEncoderConfiguration"), "Resolution"), "Width")));
  }
  EXPECT_EQ(widths, (std::vector<int>{rs->server().clip("cam")->width(),
                                      rs->server().clip("cam_low")->width()}));
  EXPECT_NE(widths[0], widths[1]);

  // The same connection again: the sub profile's URI, which camsim's RTSP server plays.
  auto [status2, body2] = http.Post(
      "/onvif/cam/media2_service",
      Envelope(R"(<GetStreamUri xmlns="http://www.onvif.org/ver20/media/wsdl"><Protocol>RTSP)"
               R"(</Protocol><ProfileToken>sub</ProfileToken></GetStreamUri>)"));
  ASSERT_EQ(status2, 200) << body2;
  const std::string url = rs->Url("cam_low");
  EXPECT_NE(body2.find("<tr2:Uri>" + url + "</tr2:Uri>"), std::string::npos) << body2;
  auto rtsp = TestRtspClient::Connect(rs->port());
  ASSERT_NE(rtsp, nullptr);
  auto describe = rtsp->Request("DESCRIBE", url);
  ASSERT_TRUE(describe.has_value());
  EXPECT_EQ(describe->status_code, 200);

  // The substream is no device of its own.
  HttpClient other(rs->server().onvif_port());
  EXPECT_EQ(other.Post("/onvif/cam_low/device_service",
                       Envelope(R"(<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/>)"))
                .first,
            404);
}

TEST(OnvifServerTest, DiscoveryNeedsAnInterfaceAddress) {
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  boost::asio::io_context io;
  Options o = TestOptions({"name=cam,file=" + file->path()});
  o.onvif_listen = "0.0.0.0:0";  // every interface: which one would the group be joined on?
  o.ws_discovery = true;
  auto r = Server::Start(io, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("IPv4 address of an interface"), std::string::npos)
      << r.status();
}

TEST(OnvifServerTest, OversizedRequestsAre413) {
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  Options o = TestOptions({"name=cam,file=" + file->path()});
  o.onvif_listen = "127.0.0.1:0";
  auto rs = RunningServer::Start(o);
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  HttpClient http(rs->server().onvif_port());
  ASSERT_TRUE(http.connected());
  const std::string huge(kMaxOnvifRequestBytes + 1, 'x');
  EXPECT_EQ(http.Post("/onvif/device_service", huge).first, 413);
  // The server is still there for the next client.
  HttpClient next(rs->server().onvif_port());
  EXPECT_EQ(next.Post("/onvif/device_service",
                      Envelope(R"(<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>)"))
                .first,
            200);
}

}  // namespace
}  // namespace sightline::camsim
