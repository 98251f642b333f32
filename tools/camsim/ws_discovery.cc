#include "tools/camsim/ws_discovery.h"

#include <cstdio>
#include <sstream>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/logging.h"
#include "onvif/xml.h"
#include "tools/camsim/onvif_soap.h"

namespace sightline::camsim {
namespace {

using onvif::Child;
using onvif::ChildText;
using onvif::XmlEscape;

constexpr std::string_view kActionBase = "http://schemas.xmlsoap.org/ws/2005/04/discovery/";
constexpr std::string_view kAnonymous =
    "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
constexpr std::string_view kDiscoveryUrn = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";

// The namespace `prefix` ("" for the default one) is bound to at `node`.
std::string LookupNamespace(pugi::xml_node node, std::string_view prefix) {
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return "";
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// RFC 3986 matching (WS-Discovery 2005/04 section 5.1): the probe's scope equals ours or is a
// prefix of it ending at a path segment boundary.
bool ScopeMatches(std::string_view wanted, std::string_view ours) {
  while (wanted.size() > 1 && wanted.back() == '/') wanted.remove_suffix(1);
  if (!ours.starts_with(wanted)) return false;
  return ours.size() == wanted.size() || ours[wanted.size()] == '/';
}

std::string Header(std::string_view action, std::string_view message_id, std::string_view to,
                   std::string_view relates_to, AppSequence seq) {
  std::string h = "<env:Header><wsa:MessageID>" + std::string(message_id) + "</wsa:MessageID>";
  if (!relates_to.empty()) h += "<wsa:RelatesTo>" + XmlEscape(relates_to) + "</wsa:RelatesTo>";
  h += "<wsa:To>" + std::string(to) + "</wsa:To><wsa:Action>" + std::string(kActionBase) +
       std::string(action) + "</wsa:Action><wsd:AppSequence InstanceId=\"" +
       std::to_string(seq.instance_id) + "\" MessageNumber=\"" +
       std::to_string(seq.message_number) + "\"/></env:Header>";
  return h;
}

std::string Envelope(std::string_view header, std::string_view body) {
  return R"(<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env=")" +
         std::string(kNsSoap12) + R"(" xmlns:wsa=")" + std::string(kNsAddressing) +
         R"(" xmlns:wsd=")" + std::string(kNsDiscovery) + R"(" xmlns:tdn=")" +
         std::string(kNsNetwork) + R"(" xmlns:tds=")" + std::string(kNsDevice) + R"(">)" +
         std::string(header) + "<env:Body>" + std::string(body) + "</env:Body></env:Envelope>";
}

std::string EndpointReference(const DiscoveryTarget& t) {
  return "<wsa:EndpointReference><wsa:Address>" + XmlEscape(t.address) +
         "</wsa:Address></wsa:EndpointReference>";
}

// Types, Scopes, XAddrs and MetadataVersion: what ProbeMatch and Hello share.
std::string Description(const DiscoveryTarget& t) {
  std::string scopes;
  for (const std::string& s : t.scopes) scopes += (scopes.empty() ? "" : " ") + XmlEscape(s);
  return EndpointReference(t) + "<wsd:Types>tdn:NetworkVideoTransmitter tds:Device</wsd:Types>" +
         "<wsd:Scopes>" + scopes + "</wsd:Scopes><wsd:XAddrs>" + XmlEscape(t.xaddrs) +
         "</wsd:XAddrs><wsd:MetadataVersion>1</wsd:MetadataVersion>";
}

}  // namespace

Result<DiscoveryProbe> ParseProbe(std::string_view bytes) {
  ASSIGN_OR_RETURN(SoapRequest soap, ParseSoapRequest(bytes));
  if (soap.operation_name() != "Probe" || soap.operation_ns != kNsDiscovery) {
    return NotFoundError("not a Probe but " + std::string(soap.operation_name()));
  }
  DiscoveryProbe probe;
  probe.message_id = ChildText(soap.header, "MessageID");
  if (probe.message_id.empty()) return InvalidArgumentError("Probe without a MessageID");
  const pugi::xml_node types = Child(soap.operation, "Types");
  for (const std::string& qname : Words(types.text().get())) {
    const size_t colon = qname.find(':');
    const std::string prefix = colon == std::string::npos ? "" : qname.substr(0, colon);
    const std::string ns = LookupNamespace(types, prefix);
    if (ns.empty() && !prefix.empty()) {
      return InvalidArgumentError("Probe type '" + qname + "' has an undeclared prefix");
    }
    probe.types.emplace_back(ns, colon == std::string::npos ? qname : qname.substr(colon + 1));
  }
  probe.scopes = Words(ChildText(soap.operation, "Scopes"));
  return probe;
}

bool ProbeMatches(const DiscoveryProbe& probe, const DiscoveryTarget& target) {
  for (const auto& [ns, name] : probe.types) {
    const bool ours = (ns == kNsNetwork && name == "NetworkVideoTransmitter") ||
                      (ns == kNsDevice && name == "Device");
    if (!ours) return false;
  }
  for (const std::string& wanted : probe.scopes) {
    bool found = false;
    for (const std::string& s : target.scopes) found = found || ScopeMatches(wanted, s);
    if (!found) return false;
  }
  return true;
}

std::string ProbeMatchesXml(const DiscoveryTarget& target, std::string_view relates_to,
                            std::string_view message_id, AppSequence seq) {
  return Envelope(Header("ProbeMatches", message_id, kAnonymous, relates_to, seq),
                  "<wsd:ProbeMatches><wsd:ProbeMatch>" + Description(target) +
                      "</wsd:ProbeMatch></wsd:ProbeMatches>");
}

std::string HelloXml(const DiscoveryTarget& target, std::string_view message_id, AppSequence seq) {
  return Envelope(Header("Hello", message_id, kDiscoveryUrn, "", seq),
                  "<wsd:Hello>" + Description(target) + "</wsd:Hello>");
}

std::string ByeXml(const DiscoveryTarget& target, std::string_view message_id, AppSequence seq) {
  return Envelope(Header("Bye", message_id, kDiscoveryUrn, "", seq),
                  "<wsd:Bye>" + EndpointReference(target) + "</wsd:Bye>");
}

std::string RandomUuidUrn(std::mt19937_64& rng) {
  const uint64_t a = rng(), b = rng();
  char buf[64];
  std::snprintf(buf, sizeof(buf), "urn:uuid:%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff), static_cast<unsigned>(0x8000 | (b >> 50)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// ---- the responder ----

namespace asio = boost::asio;
using asio::ip::udp;

struct DiscoveryState {
  DiscoveryState(asio::io_context& io) : socket(io) {}

  udp::socket socket;
  DiscoveryResponder::Options options;
  std::vector<DiscoveryTarget> targets;
  std::mt19937_64 rng;
  AppSequence seq;
  bool stopped = false;

  AppSequence Next() {
    AppSequence s = seq;
    ++seq.message_number;
    return s;
  }
  void SendToGroup(const std::string& message) {
    boost::system::error_code ec;
    socket.send_to(asio::buffer(message),
                   udp::endpoint(asio::ip::make_address_v4(kDiscoveryGroup), options.port), 0, ec);
    if (ec) {
      SL_LOG(kWarning) << "camsim ws-discovery: send to group: " << ec.message();
    }
  }
};

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> AnswerLater(std::shared_ptr<DiscoveryState> state, size_t target,
                                  udp::endpoint to, std::string relates_to) {
  const auto max = state->options.max_delay.count();
  std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(max, 0));
  asio::steady_timer timer(state->socket.get_executor(), std::chrono::milliseconds(delay(state->rng)));
  co_await timer.async_wait(kUseTuple);
  if (state->stopped) co_return;
  const std::string answer = ProbeMatchesXml(state->targets[target], relates_to,
                                             RandomUuidUrn(state->rng), state->Next());
  co_await state->socket.async_send_to(asio::buffer(answer), to, kUseTuple);
}

asio::awaitable<void> ReceiveLoop(std::shared_ptr<DiscoveryState> state) {
  std::vector<char> buffer(64 * 1024);
  while (!state->stopped) {
    udp::endpoint from;
    auto [ec, n] =
        co_await state->socket.async_receive_from(asio::buffer(buffer), from, kUseTuple);
    if (state->stopped || ec == asio::error::operation_aborted) break;
    if (ec) continue;
    Result<DiscoveryProbe> probe = ParseProbe(std::string_view(buffer.data(), n));
    if (!probe.ok()) {
      // Our own Hello/Bye come back (multicast loop), and other devices' announcements.
      if (probe.status().code() != StatusCode::kNotFound) {
        SL_LOG(kDebug) << "camsim ws-discovery: from " << from << ": " << probe.status().message();
      }
      continue;
    }
    size_t matched = 0;
    for (size_t i = 0; i < state->targets.size(); ++i) {
      if (!ProbeMatches(*probe, state->targets[i])) continue;
      ++matched;
      asio::co_spawn(state->socket.get_executor(), AnswerLater(state, i, from, probe->message_id),
                     asio::detached);
    }
    SL_LOG(kDebug) << "camsim ws-discovery: probe from " << from << " matched " << matched;
  }
}

}  // namespace

Result<std::unique_ptr<DiscoveryResponder>> DiscoveryResponder::Start(
    asio::io_context& io, Options options, std::vector<DiscoveryTarget> targets) {
  boost::system::error_code ec;
  const asio::ip::address_v4 iface = asio::ip::make_address_v4(options.interface_address, ec);
  if (ec || iface.is_unspecified()) {
    return InvalidArgumentError("WS-Discovery needs the IPv4 address of an interface, not '" +
                                options.interface_address + "'");
  }
  auto state = std::make_shared<DiscoveryState>(io);
  state->options = std::move(options);
  state->targets = std::move(targets);
  state->rng.seed(state->options.seed != 0 ? state->options.seed : std::random_device()());
  state->seq.instance_id = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  udp::socket& s = state->socket;
  // Bound to any address: on Linux a socket bound to a unicast address gets no multicast.
  const udp::endpoint any(asio::ip::address_v4::any(), state->options.port);
  s.open(udp::v4(), ec);
  if (!ec) s.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.bind(any, ec);
  if (!ec) {
    s.set_option(asio::ip::multicast::join_group(asio::ip::make_address_v4(kDiscoveryGroup), iface),
                 ec);
  }
  if (!ec) s.set_option(asio::ip::multicast::outbound_interface(iface), ec);
  if (ec) {
    return UnavailableError("WS-Discovery on " + iface.to_string() + ":" +
                            std::to_string(state->options.port) + ": " + ec.message());
  }
  for (const DiscoveryTarget& t : state->targets) {
    state->SendToGroup(HelloXml(t, RandomUuidUrn(state->rng), state->Next()));
  }
  asio::co_spawn(io, ReceiveLoop(state), asio::detached);
  SL_LOG(kInfo) << "camsim: WS-Discovery for " << state->targets.size() << " devices on "
                << iface.to_string() << " (group " << kDiscoveryGroup << ":"
                << state->options.port << ")";
  return std::make_unique<DiscoveryResponder>(std::move(state));
}

DiscoveryResponder::DiscoveryResponder(std::shared_ptr<DiscoveryState> state)
    : state_(std::move(state)) {}

DiscoveryResponder::~DiscoveryResponder() = default;

void DiscoveryResponder::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  for (const DiscoveryTarget& t : state_->targets) {
    state_->SendToGroup(ByeXml(t, RandomUuidUrn(state_->rng), state_->Next()));
  }
  boost::system::error_code ec;
  state_->socket.close(ec);
}

}  // namespace sightline::camsim
