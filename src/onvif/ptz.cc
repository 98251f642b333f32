#include "onvif/ptz.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

constexpr std::string_view kSchemaNs = "http://www.onvif.org/ver10/schema";
constexpr size_t kMaxTokenBytes = 64;

SoapRequest PtzRequest(std::string_view operation, std::string_view inner) {
  const std::string op(operation);
  return {std::string(kPtzNs) + "/" + op, "<tptz:" + op + " xmlns:tptz=\"" + std::string(kPtzNs) +
                                              "\" xmlns:tt=\"" + std::string(kSchemaNs) + "\">" +
                                              std::string(inner) + "</tptz:" + op + ">"};
}

std::string Element(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + XmlEscape(text) + "</" + std::string(name) + ">";
}

std::string ProfileElement(std::string_view profile_token) {
  return Element("tptz:ProfileToken", profile_token);
}

double Clamp(double v) {
  if (std::isnan(v)) return 0;
  return std::clamp(v, -1.0, 1.0);
}

// Locale-independent, short: "0.5", "-1", "0.123457".
std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

// An attribute by local name that is not a namespace declaration (`xmlns:x` is not `x`).
std::string_view Attr(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a : node.attributes()) {
    const std::string_view qualified = a.name();
    if (qualified == "xmlns" || qualified.starts_with("xmlns:")) continue;
    if (LocalName(qualified) == name) return a.value();
  }
  return {};
}

// A finite number, the whole of `text` after trimming; cameras write "0.5", "-1", "1E-1".
std::optional<double> ParseNumber(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > 40) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string Cut(std::string s, size_t n) {
  if (s.size() > n) s.resize(n);
  return s;
}

// A PTZVector: <PanTilt x= y=/> and <Zoom x=/>, any prefix.
PtzPosition ReadVector(pugi::xml_node parent) {
  PtzPosition p;
  if (pugi::xml_node pt = Child(parent, "PanTilt")) {
    p.pan = ParseNumber(Attr(pt, "x"));
    p.tilt = ParseNumber(Attr(pt, "y"));
  }
  if (pugi::xml_node z = Child(parent, "Zoom")) p.zoom = ParseNumber(Attr(z, "x"));
  return p;
}

PtzMoveState ReadMoveState(std::string_view text) {
  // The schema's MoveStatus is IDLE, MOVING or UNKNOWN; some firmware writes lower case.
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "IDLE") return PtzMoveState::kIdle;
  if (upper == "MOVING") return PtzMoveState::kMoving;
  return PtzMoveState::kUnknown;
}

bool IsElement(pugi::xml_node n, std::string_view local) {
  return n.type() == pugi::node_element && LocalName(n.name()) == local;
}

}  // namespace

std::string_view PtzMoveStateName(PtzMoveState s) {
  switch (s) {
    case PtzMoveState::kIdle: return "idle";
    case PtzMoveState::kMoving: return "moving";
    case PtzMoveState::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string XsDuration(std::chrono::milliseconds d) {
  const int64_t ms = std::max<int64_t>(0, d.count());
  std::string out = "PT" + std::to_string(ms / 1000);
  if (int64_t frac = ms % 1000; frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%03d", static_cast<int>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "S";
}

Result<std::chrono::milliseconds> ParseXsDuration(std::string_view text) {
  const std::string quoted = "'" + Cut(std::string(text), 40) + "'";
  if (!text.starts_with("PT") || text.size() < 4 || text.size() > 40) {
    return InvalidArgumentError("duration " + quoted + " is not of the form PT[nH][nM][nS]");
  }
  std::string_view rest = text.substr(2);
  double seconds = 0;
  char last_unit = 0;
  while (!rest.empty()) {
    const size_t unit = rest.find_first_of("HMS");
    if (unit == 0 || unit == std::string_view::npos) {
      return InvalidArgumentError("duration " + quoted + " is not of the form PT[nH][nM][nS]");
    }
    const char u = rest[unit];
    // Units in order, each once; only seconds may have a fraction.
    const bool in_order = last_unit == 0 || (last_unit == 'H' && u != 'H') || (last_unit == 'M' && u == 'S');
    const std::string_view number = rest.substr(0, unit);
    std::optional<double> v = ParseNumber(number);
    if (!in_order || !v.has_value() || *v < 0 || number.front() == '-' ||
        (u != 'S' && number.find('.') != std::string_view::npos) ||
        number.find_first_of("eE") != std::string_view::npos) {
      return InvalidArgumentError("duration " + quoted + " is not of the form PT[nH][nM][nS]");
    }
    seconds += *v * (u == 'H' ? 3600 : u == 'M' ? 60 : 1);
    last_unit = u;
    rest.remove_prefix(unit + 1);
  }
  if (seconds > 366.0 * 24 * 3600) return InvalidArgumentError("duration " + quoted + " is over a year");
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

SoapRequest PtzGetNodesRequest() { return PtzRequest("GetNodes", ""); }

SoapRequest PtzGetConfigurationsRequest() { return PtzRequest("GetConfigurations", ""); }

SoapRequest PtzGetStatusRequest(std::string_view profile_token) {
  return PtzRequest("GetStatus", ProfileElement(profile_token));
}

SoapRequest ContinuousMoveRequest(std::string_view profile_token, const PtzVelocity& velocity,
                                  std::optional<std::chrono::milliseconds> timeout) {
  std::string inner = ProfileElement(profile_token) + "<tptz:Velocity><tt:PanTilt x=\"" +
                      Number(Clamp(velocity.pan)) + "\" y=\"" + Number(Clamp(velocity.tilt)) +
                      "\"/><tt:Zoom x=\"" + Number(Clamp(velocity.zoom)) + "\"/></tptz:Velocity>";
  if (timeout.has_value()) inner += Element("tptz:Timeout", XsDuration(*timeout));
  return PtzRequest("ContinuousMove", inner);
}

SoapRequest PtzStopRequest(std::string_view profile_token, bool pan_tilt, bool zoom) {
  return PtzRequest("Stop", ProfileElement(profile_token) +
                                Element("tptz:PanTilt", pan_tilt ? "true" : "false") +
                                Element("tptz:Zoom", zoom ? "true" : "false"));
}

SoapRequest GetPresetsRequest(std::string_view profile_token) {
  return PtzRequest("GetPresets", ProfileElement(profile_token));
}

SoapRequest GotoPresetRequest(std::string_view profile_token, std::string_view preset_token) {
  return PtzRequest("GotoPreset", ProfileElement(profile_token) + Element("tptz:PresetToken", preset_token));
}

SoapRequest SetPresetRequest(std::string_view profile_token, std::string_view name) {
  // Cut on a character boundary: never half of a UTF-8 sequence.
  size_t n = std::min(name.size(), kMaxPresetNameBytes);
  while (n > 0 && n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  return PtzRequest("SetPreset", ProfileElement(profile_token) + Element("tptz:PresetName", name.substr(0, n)));
}

SoapRequest RemovePresetRequest(std::string_view profile_token, std::string_view preset_token) {
  return PtzRequest("RemovePreset", ProfileElement(profile_token) + Element("tptz:PresetToken", preset_token));
}

Result<std::vector<PtzNode>> ParseGetNodes(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetNodesResponse"));
  std::vector<PtzNode> out;
  for (pugi::xml_node n : r.body.children()) {
    if (!IsElement(n, "PTZNode")) continue;
    PtzNode node;
    node.token = Cut(std::string(Attr(n, "token")), kMaxTokenBytes);
    if (node.token.empty()) continue;
    node.name = Cut(ChildText(n, "Name"), kMaxPresetNameBytes);
    if (std::optional<double> max = ParseNumber(ChildText(n, "MaximumNumberOfPresets"))) {
      node.max_presets = static_cast<int>(std::clamp(*max, 0.0, 100000.0));
    }
    const std::string home = ChildText(n, "HomeSupported");
    node.home_supported = home == "true" || home == "1";
    pugi::xml_node spaces = Child(n, "SupportedPTZSpaces");
    node.continuous_pan_tilt = static_cast<bool>(Child(spaces, "ContinuousPanTiltVelocitySpace"));
    node.continuous_zoom = static_cast<bool>(Child(spaces, "ContinuousZoomVelocitySpace"));
    out.push_back(std::move(node));
    if (out.size() == kMaxPtzNodes) break;
  }
  return out;
}

Result<std::vector<PtzConfiguration>> ParseGetConfigurations(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetConfigurationsResponse"));
  std::vector<PtzConfiguration> out;
  for (pugi::xml_node n : r.body.children()) {
    if (!IsElement(n, "PTZConfiguration")) continue;
    PtzConfiguration c;
    c.token = Cut(std::string(Attr(n, "token")), kMaxTokenBytes);
    if (c.token.empty()) continue;
    c.name = Cut(ChildText(n, "Name"), kMaxPresetNameBytes);
    c.node_token = Cut(ChildText(n, "NodeToken"), kMaxTokenBytes);
    const std::string timeout = ChildText(n, "DefaultPTZTimeout");
    if (!timeout.empty()) {
      Result<std::chrono::milliseconds> t = ParseXsDuration(timeout);
      if (t.ok()) c.default_timeout = *t;
    }
    out.push_back(std::move(c));
    if (out.size() == kMaxPtzNodes) break;
  }
  return out;
}

Result<PtzStatus> ParseGetStatus(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetStatusResponse"));
  pugi::xml_node status = Child(r.body, "PTZStatus");
  if (!status) return InvalidArgumentError("GetStatus: no PTZStatus in the response");
  PtzStatus out;
  out.position = ReadVector(Child(status, "Position"));
  pugi::xml_node move = Child(status, "MoveStatus");
  if (pugi::xml_node pt = Child(move, "PanTilt")) {
    out.pan_tilt = ReadMoveState(ChildText(move, "PanTilt"));
  } else {
    // ONVIF 1.x firmware writes a single MoveStatus text for the whole head.
    out.pan_tilt = ReadMoveState(ChildText(status, "MoveStatus"));
  }
  out.zoom = Child(move, "Zoom") ? ReadMoveState(ChildText(move, "Zoom")) : out.pan_tilt;
  out.error = Cut(ChildText(status, "Error"), 200);
  return out;
}

Result<std::vector<PtzPreset>> ParseGetPresets(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetPresetsResponse"));
  std::vector<PtzPreset> out;
  for (pugi::xml_node n : r.body.children()) {
    if (!IsElement(n, "Preset")) continue;
    PtzPreset p;
    p.token = Cut(std::string(Attr(n, "token")), kMaxTokenBytes);
    // A preset without a token cannot be called; some firmware lists empty slots so.
    if (p.token.empty()) continue;
    p.name = Cut(ChildText(n, "Name"), kMaxPresetNameBytes);
    p.position = ReadVector(Child(n, "PTZPosition"));
    out.push_back(std::move(p));
    if (out.size() == kMaxPresets) break;
  }
  return out;
}

Result<std::string> ParseSetPreset(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "SetPresetResponse"));
  std::string token = ChildText(r.body, "PresetToken");
  if (token.empty()) return InvalidArgumentError("SetPreset: no PresetToken in the response");
  if (token.size() > kMaxTokenBytes) return InvalidArgumentError("SetPreset: the PresetToken is over 64 bytes");
  return token;
}

Status ParsePtzAck(std::string_view response, std::string_view operation) {
  Result<SoapResponse> r = ParseResponse(response, std::string(operation) + "Response");
  return r.status();
}

}  // namespace sightline::onvif
