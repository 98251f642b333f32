// The PTZ service (ONVIF PTZ Service spec, tptz, ver20) over each camera's PtzState: one node
// and one configuration in the generic spaces, continuous, absolute and relative moves, status,
// presets and a home position.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/logging.h"
#include "onvif/wsse.h"
#include "onvif/xml.h"
#include "tools/camsim/onvif_services.h"

namespace sightline::camsim {
namespace {

using onvif::Child;
using onvif::ChildText;
using onvif::XmlEscape;

constexpr std::string_view kNode = "ptznode0";
constexpr std::string_view kConfig = "ptz0";
constexpr std::string_view kSpaces = "http://www.onvif.org/ver10/tptz/";
constexpr auto kDefaultTimeout = std::chrono::seconds(10);
constexpr auto kMaxTimeout = std::chrono::hours(1);

std::string Space(std::string_view kind) { return std::string(kSpaces) + std::string(kind); }

std::string Tag(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + std::string(text) + "</" + std::string(name) + ">";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6f", v);
  return buf;
}

std::string Range(std::string_view element, std::string_view uri, double lo, double hi,
                  bool with_y) {
  const std::string r = "<tt:Min>" + Number(lo) + "</tt:Min><tt:Max>" + Number(hi) + "</tt:Max>";
  return "<" + std::string(element) + ">" + Tag("tt:URI", Space(uri)) + Tag("tt:XRange", r) +
         (with_y ? Tag("tt:YRange", r) : std::string()) + "</" + std::string(element) + ">";
}

std::string PositionXml(const PtzVector& p) {
  return "<tt:PanTilt x=\"" + Number(p.pan) + "\" y=\"" + Number(p.tilt) + "\" space=\"" +
         Space("PanTiltSpaces/PositionGenericSpace") + "\"/><tt:Zoom x=\"" + Number(p.zoom) +
         "\" space=\"" + Space("ZoomSpaces/PositionGenericSpace") + "\"/>";
}

// An attribute by local name, skipping namespace declarations (xmlns:x is not x).
std::string_view Attr(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a : node.attributes()) {
    const std::string_view qualified = a.name();
    if (qualified.starts_with("xmlns")) continue;
    if (onvif::LocalName(qualified) == name) return a.value();
  }
  return {};
}

bool ParseNumber(std::string_view text, double* out) {
  if (text.empty() || text.size() > 40) return false;
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// A PTZVector (PanTilt x/y, Zoom x) from `parent`; which parts it had in *pan_tilt / *zoom.
Result<PtzVector> ParseVector(pugi::xml_node parent, bool* pan_tilt, bool* zoom) {
  PtzVector v;
  const pugi::xml_node pt = Child(parent, "PanTilt");
  const pugi::xml_node z = Child(parent, "Zoom");
  *pan_tilt = static_cast<bool>(pt);
  *zoom = static_cast<bool>(z);
  if (pt && (!ParseNumber(Attr(pt, "x"), &v.pan) || !ParseNumber(Attr(pt, "y"), &v.tilt))) {
    return InvalidArgumentError("PanTilt needs numbers x and y");
  }
  if (z && !ParseNumber(Attr(z, "x"), &v.zoom)) return InvalidArgumentError("Zoom needs a number x");
  return v;
}

// xs:duration as PTZ timeouts use it: "PT5S", "PT0.5S", "PT1M30S", "PT1H".
Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (!text.starts_with("PT") || text.size() < 4 || text.size() > 32) {
    return InvalidArgumentError("Timeout '" + std::string(text) + "' is not an xs:duration PT...");
  }
  double total_s = 0;
  std::string_view rest = text.substr(2);
  while (!rest.empty()) {
    size_t unit = rest.find_first_of("HMS");
    double value = 0;
    if (unit == std::string_view::npos || !ParseNumber(rest.substr(0, unit), &value) || value < 0) {
      return InvalidArgumentError("Timeout '" + std::string(text) + "' is not an xs:duration PT...");
    }
    total_s += value * (rest[unit] == 'H' ? 3600 : rest[unit] == 'M' ? 60 : 1);
    rest.remove_prefix(unit + 1);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(
      total_s * 1000, static_cast<double>(std::chrono::milliseconds(kMaxTimeout).count()))));
}

SoapFault BadArg(const Status& s) { return InvalidArg("ter:InvalidArgVal", s.message()); }

// Every PTZ operation but the node/configuration queries names a profile.
bool KnownProfile(const OnvifDevice& device, const OnvifCall& call, SoapFault* fault) {
  const std::string token = ChildText(call.request.operation, "ProfileToken");
  if (FindStream(device, token) != nullptr) return true;
  *fault = InvalidArg("ter:NoProfile", "no profile '" + token + "'");
  return false;
}

std::string NodeXml(std::string_view element) {
  return "<" + std::string(element) + " token=\"" + std::string(kNode) +
         "\" FixedHomePosition=\"false\"><tt:Name>camsim head</tt:Name><tt:SupportedPTZSpaces>" +
         Range("tt:AbsolutePanTiltPositionSpace", "PanTiltSpaces/PositionGenericSpace", -1, 1, true) +
         Range("tt:AbsoluteZoomPositionSpace", "ZoomSpaces/PositionGenericSpace", 0, 1, false) +
         Range("tt:RelativePanTiltTranslationSpace", "PanTiltSpaces/TranslationGenericSpace", -1, 1,
               true) +
         Range("tt:RelativeZoomTranslationSpace", "ZoomSpaces/TranslationGenericSpace", -1, 1, false) +
         Range("tt:ContinuousPanTiltVelocitySpace", "PanTiltSpaces/VelocityGenericSpace", -1, 1,
               true) +
         Range("tt:ContinuousZoomVelocitySpace", "ZoomSpaces/VelocityGenericSpace", -1, 1, false) +
         Range("tt:PanTiltSpeedSpace", "PanTiltSpaces/GenericSpeedSpace", 0, 1, false) +
         Range("tt:ZoomSpeedSpace", "ZoomSpaces/ZoomGenericSpeedSpace", 0, 1, false) +
         "</tt:SupportedPTZSpaces>" +
         Tag("tt:MaximumNumberOfPresets", std::to_string(PtzState::kMaxPresets)) +
         "<tt:HomeSupported>true</tt:HomeSupported></" + std::string(element) + ">";
}

std::string GetStatus(OnvifDevice& device, const OnvifCall& call) {
  const PtzState& ptz = device.ptz;
  return "<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position>" +
         PositionXml(ptz.Position(call.now)) + "</tt:Position><tt:MoveStatus>" +
         Tag("tt:PanTilt", ptz.PanTiltMoving(call.now) ? "MOVING" : "IDLE") +
         Tag("tt:Zoom", ptz.ZoomMoving(call.now) ? "MOVING" : "IDLE") + "</tt:MoveStatus>" +
         Tag("tt:UtcTime", onvif::FormatDateTime(call.camera_now)) +
         "</tptz:PTZStatus></tptz:GetStatusResponse>";
}

SoapOutcome ContinuousMove(OnvifDevice& device, const OnvifCall& call) {
  bool pan_tilt = false, zoom = false;
  Result<PtzVector> v = ParseVector(Child(call.request.operation, "Velocity"), &pan_tilt, &zoom);
  if (!v.ok()) return BadArg(v.status());
  std::chrono::milliseconds timeout = kDefaultTimeout;
  const std::string timeout_text = ChildText(call.request.operation, "Timeout");
  if (!timeout_text.empty()) {
    Result<std::chrono::milliseconds> t = ParseDuration(timeout_text);
    if (!t.ok()) return BadArg(t.status());
    timeout = *t;
  }
  device.ptz.ContinuousMove(*v, pan_tilt, zoom, timeout, call.now);
  SL_LOG(kInfo) << "camera=" << device.name << " ptz=ContinuousMove pan=" << v->pan
                << " tilt=" << v->tilt << " zoom=" << v->zoom << " timeout_ms=" << timeout.count();
  return std::string("<tptz:ContinuousMoveResponse/>");
}

std::string Stop(OnvifDevice& device, const OnvifCall& call) {
  // Both default to true (PTZ spec 5.3.5).
  const std::string pt = ChildText(call.request.operation, "PanTilt");
  const std::string z = ChildText(call.request.operation, "Zoom");
  device.ptz.Stop(pt != "false", z != "false", call.now);
  const PtzVector p = device.ptz.Position(call.now);
  SL_LOG(kInfo) << "camera=" << device.name << " ptz=Stop pan=" << p.pan << " tilt=" << p.tilt
                << " zoom=" << p.zoom;
  return "<tptz:StopResponse/>";
}

SoapOutcome Move(OnvifDevice& device, const OnvifCall& call, bool relative) {
  bool pan_tilt = false, zoom = false;
  Result<PtzVector> v = ParseVector(
      Child(call.request.operation, relative ? "Translation" : "Position"), &pan_tilt, &zoom);
  if (!v.ok()) return BadArg(v.status());
  if (relative) {
    device.ptz.MoveBy(*v, pan_tilt, zoom, call.now);
  } else {
    device.ptz.MoveTo(*v, pan_tilt, zoom, call.now);
  }
  const PtzVector p = device.ptz.Position(call.now);
  SL_LOG(kInfo) << "camera=" << device.name << " ptz=" << (relative ? "RelativeMove" : "AbsoluteMove")
                << " pan=" << p.pan << " tilt=" << p.tilt << " zoom=" << p.zoom;
  return relative ? std::string("<tptz:RelativeMoveResponse/>")
                  : std::string("<tptz:AbsoluteMoveResponse/>");
}

std::string GetPresets(const OnvifDevice& device) {
  std::string out = "<tptz:GetPresetsResponse>";
  for (const PtzPreset& p : device.ptz.presets()) {
    out += "<tptz:Preset token=\"" + XmlEscape(p.token) + "\">" + Tag("tt:Name", XmlEscape(p.name)) +
           "<tt:PTZPosition>" + PositionXml(p.position) + "</tt:PTZPosition></tptz:Preset>";
  }
  return out + "</tptz:GetPresetsResponse>";
}

SoapOutcome SetPreset(OnvifDevice& device, const OnvifCall& call) {
  const std::string name = ChildText(call.request.operation, "PresetName");
  if (name.size() > 64) return InvalidArg("ter:InvalidPresetName", "PresetName over 64 characters");
  Result<std::string> token =
      device.ptz.SetPreset(name, ChildText(call.request.operation, "PresetToken"), call.now);
  if (!token.ok()) {
    if (token.status().code() == StatusCode::kResourceExhausted) {
      return SoapFault{true, "ter:Action ter:TooManyPresets", token.status().message()};
    }
    return InvalidArg("ter:NoToken", token.status().message());
  }
  return "<tptz:SetPresetResponse>" + Tag("tptz:PresetToken", XmlEscape(*token)) +
         "</tptz:SetPresetResponse>";
}

SoapOutcome PresetAction(OnvifDevice& device, const OnvifCall& call, bool remove) {
  const std::string token = ChildText(call.request.operation, "PresetToken");
  const Status s = remove ? device.ptz.RemovePreset(token) : device.ptz.GotoPreset(token, call.now);
  if (!s.ok()) return InvalidArg("ter:NoToken", s.message());
  if (remove) return std::string("<tptz:RemovePresetResponse/>");
  const PtzVector p = device.ptz.Position(call.now);
  SL_LOG(kInfo) << "camera=" << device.name << " ptz=GotoPreset preset=" << token
                << " pan=" << p.pan << " tilt=" << p.tilt << " zoom=" << p.zoom;
  return std::string("<tptz:GotoPresetResponse/>");
}

SoapOutcome ConfigurationQuery(const OnvifDevice& device, const OnvifCall& call,
                               std::string_view op) {
  if (op == "GetNodes") return "<tptz:GetNodesResponse>" + NodeXml("tptz:PTZNode") + "</tptz:GetNodesResponse>";
  if (op == "GetNode") {
    const std::string token = ChildText(call.request.operation, "NodeToken");
    if (token != kNode) return InvalidArg("ter:NoEntity", "no PTZ node '" + token + "'");
    return "<tptz:GetNodeResponse>" + NodeXml("tptz:PTZNode") + "</tptz:GetNodeResponse>";
  }
  if (op == "GetConfigurations") {
    return "<tptz:GetConfigurationsResponse>" +
           PtzConfigurationXml(device, "tptz:PTZConfiguration") +
           "</tptz:GetConfigurationsResponse>";
  }
  const std::string token = ChildText(call.request.operation, "PTZConfigurationToken");
  if (token != kConfig) return InvalidArg("ter:NoConfig", "no PTZ configuration '" + token + "'");
  return "<tptz:GetConfigurationResponse>" +
         PtzConfigurationXml(device, "tptz:PTZConfiguration") + "</tptz:GetConfigurationResponse>";
}

}  // namespace

std::string PtzConfigurationXml(const OnvifDevice& device, std::string_view element) {
  return "<" + std::string(element) + " token=\"" + std::string(kConfig) +
         "\"><tt:Name>ptz</tt:Name>" + Tag("tt:UseCount", std::to_string(device.streams.size())) +
         Tag("tt:NodeToken", kNode) +
         // "Pant" is the schema's own spelling (onvif.xsd, PTZConfiguration).
         Tag("tt:DefaultAbsolutePantTiltPositionSpace", Space("PanTiltSpaces/PositionGenericSpace")) +
         Tag("tt:DefaultAbsoluteZoomPositionSpace", Space("ZoomSpaces/PositionGenericSpace")) +
         Tag("tt:DefaultRelativePanTiltTranslationSpace",
             Space("PanTiltSpaces/TranslationGenericSpace")) +
         Tag("tt:DefaultRelativeZoomTranslationSpace", Space("ZoomSpaces/TranslationGenericSpace")) +
         Tag("tt:DefaultContinuousPanTiltVelocitySpace",
             Space("PanTiltSpaces/VelocityGenericSpace")) +
         Tag("tt:DefaultContinuousZoomVelocitySpace", Space("ZoomSpaces/VelocityGenericSpace")) +
         "<tt:DefaultPTZSpeed><tt:PanTilt x=\"1\" y=\"1\" space=\"" +
         Space("PanTiltSpaces/GenericSpeedSpace") + "\"/><tt:Zoom x=\"1\" space=\"" +
         Space("ZoomSpaces/ZoomGenericSpeedSpace") + "\"/></tt:DefaultPTZSpeed>" +
         Tag("tt:DefaultPTZTimeout",
             "PT" + std::to_string(std::chrono::seconds(kDefaultTimeout).count()) + "S") +
         "<tt:PanTiltLimits>" +
         Range("tt:Range", "PanTiltSpaces/PositionGenericSpace", -1, 1, true) +
         "</tt:PanTiltLimits><tt:ZoomLimits>" +
         Range("tt:Range", "ZoomSpaces/PositionGenericSpace", 0, 1, false) + "</tt:ZoomLimits></" +
         std::string(element) + ">";
}

SoapOutcome HandlePtzService(OnvifDevice& device, const OnvifCall& call) {
  const std::string_view op = call.request.operation_name();
  if (op == "GetNodes" || op == "GetNode" || op == "GetConfigurations" ||
      op == "GetConfiguration") {
    return ConfigurationQuery(device, call, op);
  }
  SoapFault fault;
  if (op == "GetStatus" || op == "ContinuousMove" || op == "Stop" || op == "AbsoluteMove" ||
      op == "RelativeMove" || op == "GetPresets" || op == "SetPreset" || op == "GotoPreset" ||
      op == "RemovePreset" || op == "GotoHomePosition" || op == "SetHomePosition") {
    if (!KnownProfile(device, call, &fault)) return fault;
  }
  if (op == "GetStatus") return GetStatus(device, call);
  if (op == "ContinuousMove") return ContinuousMove(device, call);
  if (op == "Stop") return Stop(device, call);
  if (op == "AbsoluteMove") return Move(device, call, false);
  if (op == "RelativeMove") return Move(device, call, true);
  if (op == "GetPresets") return GetPresets(device);
  if (op == "SetPreset") return SetPreset(device, call);
  if (op == "GotoPreset") return PresetAction(device, call, false);
  if (op == "RemovePreset") return PresetAction(device, call, true);
  if (op == "GotoHomePosition") {
    device.ptz.GotoHome(call.now);
    return std::string("<tptz:GotoHomePositionResponse/>");
  }
  if (op == "SetHomePosition") {
    device.ptz.SetHome(call.now);
    return std::string("<tptz:SetHomePositionResponse/>");
  }
  return ActionNotSupported("PTZ service", op);
}

}  // namespace sightline::camsim
