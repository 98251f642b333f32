// The scanner against fake devices: UDP responders on 127.0.0.1 that answer Probes as cameras
// do (and some that answer wrongly).
#include "onvif/scanner.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using namespace std::chrono_literals;

std::string Matches(const std::string& relates_to, const std::string& uuid, const std::string& xaddr) {
  return "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:w=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"><e:Header><w:RelatesTo>" + relates_to +
         "</w:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch><w:EndpointReference><w:Address>urn:uuid:" +
         uuid + "</w:Address></w:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:XAddrs>" + xaddr +
         "</d:XAddrs></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>";
}

// Answers each Probe it receives with: a reply to another Probe (to be ignored), the same
// device twice with different XAddrs (one device, XAddrs merged), and garbage.
class FakeResponder {
 public:
  explicit FakeResponder(const std::string& bind_address, uint16_t port = 0) {
    socket_.open(udp::v4());
    socket_.set_option(udp::socket::reuse_address(true));
    socket_.bind(udp::endpoint(asio::ip::make_address_v4(bind_address), port));
  }
  // Closing a socket does not wake a thread blocked in receive_from: a datagram to itself does.
  ~FakeResponder() {
    stop_ = true;
    if (thread_.joinable()) {
      asio::io_context io;
      udp::socket s(io, udp::v4());
      boost::system::error_code ignored;
      s.send_to(asio::buffer("x", 1), udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port()), 0, ignored);
      thread_.join();
    }
  }
  uint16_t port() const { return socket_.local_endpoint().port(); }
  udp::socket& socket() { return socket_; }
  void Start() {
    thread_ = std::thread([this] {
      std::array<char, 65536> buf;
      udp::endpoint from;
      boost::system::error_code ec;
      for (;;) {
        size_t n = socket_.receive_from(asio::buffer(buf), from, 0, ec);
        if (ec || stop_) return;
        auto doc = ParseXml(std::string_view(buf.data(), n));
        if (!doc.ok()) continue;
        const std::string id = ChildText(Child((*doc)->document_element(), "Header"), "MessageID");
        if (id.empty()) continue;
        probes_++;
        for (const std::string& reply : {Matches("urn:uuid:not-yours", "intruder", "http://192.0.2.99/"),
                                         Matches(id, "cam-1", "http://192.0.2.1/onvif/device_service"),
                                         Matches(id, "cam-1", "http://[fd00::1]/onvif/device_service"),
                                         std::string("garbage")}) {
          socket_.send_to(asio::buffer(reply), from, 0, ec);
        }
      }
    });
  }
  int probes() const { return probes_; }

 private:
  asio::io_context io_;
  udp::socket socket_{io_};
  std::thread thread_;
  std::atomic<int> probes_{0};
  std::atomic<bool> stop_{false};
};

void ExpectOneMergedCamera(const std::vector<FoundDevice>& found) {
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].endpoint.address, "urn:uuid:cam-1");
  EXPECT_EQ(found[0].from, "127.0.0.1");
  EXPECT_EQ(found[0].endpoint.xaddrs,
            (std::vector<std::string>{"http://192.0.2.1/onvif/device_service", "http://[fd00::1]/onvif/device_service"}));
}

TEST(OnvifScannerTest, UnicastProbeOverARange) {
  FakeResponder cam("127.0.0.1");
  cam.Start();
  ScanOptions o;
  o.port = cam.port();
  o.timeout = 300ms;
  o.burst = 2;  // 127.0.0.1 and .2 in the first burst, .3-.6 after pauses
  auto found = UnicastProbe("127.0.0.0/29", o);
  ASSERT_TRUE(found.ok()) << found.status();
  ExpectOneMergedCamera(*found);
  EXPECT_EQ(cam.probes(), 1);
}

TEST(OnvifScannerTest, BadRangesAreRefusedWithTheReason) {
  ScanOptions o;
  o.timeout = 10ms;
  struct Case {
    const char* range;
    const char* says;
  } cases[] = {{"10.0.0.0/8", "over the limit"}, {"10.0.0.1/24", "bits set beyond"},
               {"fd00::/120", "not an IPv4 CIDR"}, {"cameras", "not an IPv4 CIDR"}};
  for (const Case& c : cases) {
    auto r = UnicastProbe(c.range, o);
    ASSERT_FALSE(r.ok()) << c.range;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status();
  }
  auto one = UnicastProbe("127.0.0.1/32", o);  // a single host: allowed, nothing answers
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_TRUE(one->empty());
}

TEST(OnvifScannerTest, MulticastProbeReachesAGroupMember) {
  FakeResponder cam("0.0.0.0");
  boost::system::error_code ec;
  cam.socket().set_option(asio::ip::multicast::join_group(asio::ip::make_address_v4("239.255.255.250"),
                                                          asio::ip::make_address_v4("127.0.0.1")),
                          ec);
  if (ec) GTEST_SKIP() << "no multicast on loopback here: " << ec.message();
  cam.Start();
  ScanOptions o;
  o.port = cam.port();
  o.timeout = 300ms;
  o.interface_address = "127.0.0.1";
  auto found = MulticastProbe(o);
  ASSERT_TRUE(found.ok()) << found.status();
  ExpectOneMergedCamera(*found);
  EXPECT_EQ(cam.probes(), 2);  // sent twice
}

TEST(OnvifScannerTest, ListenerHearsHelloAndBye) {
  ScanOptions o;
  o.interface_address = "127.0.0.1";
  // A free port for the listener: bind one, note it, release it.
  uint16_t port = 0;
  {
    asio::io_context io;
    udp::socket probe(io, udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  o.port = port;
  std::thread announcer([port] {
    std::this_thread::sleep_for(100ms);
    asio::io_context io;
    udp::socket s(io, udp::v4());
    const udp::endpoint to(asio::ip::make_address_v4("127.0.0.1"), port);
    const std::string hello =
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><d:Hello xmlns:d=\"x\"><a:EndpointReference "
        "xmlns:a=\"y\"><a:Address>urn:uuid:new-cam</a:Address></a:EndpointReference><d:XAddrs>http://192.0.2.5/onvif/"
        "device_service</d:XAddrs></d:Hello></s:Body></s:Envelope>";
    std::string bye = hello;
    bye.replace(bye.find("d:Hello"), 7, "d:Bye").replace(bye.rfind("d:Hello"), 7, "d:Bye");
    s.send_to(asio::buffer(std::string("not xml")), to);
    s.send_to(asio::buffer(hello), to);
    s.send_to(asio::buffer(bye), to);
  });
  auto heard = ListenForAnnouncements(500ms, o);
  announcer.join();
  if (!heard.ok() && heard.status().message().find("cannot join") != std::string::npos) {
    GTEST_SKIP() << heard.status();
  }
  ASSERT_TRUE(heard.ok()) << heard.status();
  ASSERT_EQ(heard->size(), 2u);
  EXPECT_EQ((*heard)[0].kind, DiscoveryKind::kHello);
  EXPECT_EQ((*heard)[0].endpoint.address, "urn:uuid:new-cam");
  EXPECT_EQ((*heard)[0].endpoint.xaddrs.at(0), "http://192.0.2.5/onvif/device_service");
  EXPECT_EQ((*heard)[1].kind, DiscoveryKind::kBye);
}

}  // namespace
}  // namespace sightline::onvif
