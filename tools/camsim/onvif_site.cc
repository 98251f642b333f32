#include "tools/camsim/onvif_site.h"

#include <optional>
#include <utility>
#include <variant>

#include "base/logging.h"
#include "onvif/wsse.h"
#include "rtsp/auth.h"

namespace sightline::camsim {
namespace {

// The namespace a service's operations must be in: Media and Media2 share operation names.
std::string_view ServiceNamespace(std::string_view service) {
  if (service == kServiceDevice) return kNsDevice;
  if (service == kServiceMedia) return kNsMedia;
  if (service == kServiceMedia2) return kNsMedia2;
  if (service == kServicePtz) return kNsPtz;
  if (service == kServiceEvents) return kNsEvents;
  // A pull point takes PullMessages (tev) and Renew, Unsubscribe (wsnt): checked there.
  if (service == kServiceSubscription) return kNsWsn;
  return {};
}

OnvifHttpResponse FaultResponse(SoapVersion version, const SoapFault& fault) {
  OnvifHttpResponse r;
  // SOAP 1.2 HTTP binding (Part 2, 7.5.1.2) and SOAP 1.1 section 6.2: Sender faults are 400,
  // Receiver faults 500 (SOAP 1.1 uses 500 for both).
  r.status = version == SoapVersion::k11 || fault.receiver ? 500 : 400;
  r.content_type = std::string(SoapContentType(version));
  r.body = SoapFaultEnvelope(version, fault);
  return r;
}

OnvifHttpResponse PlainResponse(int status, std::string text) {
  OnvifHttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text) + "\n";
  return r;
}

}  // namespace

OnvifSite::OnvifSite(std::vector<std::unique_ptr<OnvifDevice>> devices, std::string digest_nonce)
    : devices_(std::move(devices)), nonce_(std::move(digest_nonce)) {}

OnvifDevice* OnvifSite::Find(std::string_view name) {
  for (auto& d : devices_) {
    if (d->name == name) return d.get();
  }
  return nullptr;
}

OnvifSite::Route OnvifSite::Resolve(std::string_view target) {
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kPrefix = "/onvif/";
  if (!target.starts_with(kPrefix)) return {};
  target.remove_prefix(kPrefix.size());
  const size_t slash = target.find('/');
  Route route;
  if (slash == std::string_view::npos) {
    // /onvif/device_service etc.: the usual default path, when there is only one device.
    if (devices_.size() != 1) return {};
    route.device = devices_.front().get();
    route.service = target;
  } else {
    route.device = Find(target.substr(0, slash));
    route.service = target.substr(slash + 1);
  }
  if (ServiceNamespace(route.service).empty()) return {};
  return route;
}

std::optional<OnvifHttpResponse> OnvifSite::Authenticate(const OnvifDevice& device,
                                                         const SoapRequest& soap,
                                                         const OnvifHttpRequest& request,
                                                         WallTime camera_now,
                                                         SoapVersion version) {
  if (device.user.empty()) return std::nullopt;
  std::string why = "no credentials";
  if (!device.quirks.onvif_digest_only && soap.header) {
    Result<onvif::UsernameToken> token = onvif::ParseUsernameToken(soap.header);
    if (token.ok()) {
      const Status s =
          token->user != device.user
              ? PermissionDeniedError("unknown user '" + token->user + "'")
              : onvif::VerifyUsernameToken(*token, device.password, camera_now, kMaxTokenSkew);
      if (s.ok()) return std::nullopt;
      why = "UsernameToken: " + s.message();
    } else if (token.status().code() != StatusCode::kNotFound) {
      why = "UsernameToken: " + token.status().message();
    }
  }
  if (!device.quirks.onvif_token_only && !request.authorization.empty()) {
    if (rtsp::VerifyDigestAuthorization(request.authorization, {device.user, device.password},
                                        kOnvifRealm, nonce_, request.method)) {
      return std::nullopt;
    }
    why = "HTTP Digest: wrong credentials";
  }
  if (why != "no credentials") {
    ++auth_failures_;
    SL_LOG(kInfo) << "camera=" << device.name << " onvif auth failure op="
                  << soap.operation_name() << " reason=" << why;
  }
  const SoapFault fault{false, "ter:NotAuthorized", "Sender not authorized (" + why + ")"};
  OnvifHttpResponse r = FaultResponse(version, fault);
  if (!device.quirks.onvif_token_only) {
    // RFC 2617 section 3.2.1; ONVIF Core 5.9.1 lets HTTP Digest stand in for the token.
    r.status = 401;
    r.www_authenticate = "Digest realm=\"" + std::string(kOnvifRealm) + "\", qop=\"auth\", nonce=\"" +
                         nonce_ + "\", algorithm=MD5";
  } else {
    r.status = 400;
  }
  return r;
}

SoapOutcome OnvifSite::Dispatch(OnvifDevice& device, std::string_view service,
                                const OnvifCall& call) {
  if (service == kServiceSubscription) return HandleSubscriptionService(device, call);
  if (call.request.operation_ns != ServiceNamespace(service)) {
    return SoapFault{false, "ter:ActionNotSupported",
                     std::string(call.request.operation_name()) + " in namespace '" +
                         call.request.operation_ns + "' is not an operation of " +
                         std::string(service)};
  }
  if (service == kServiceDevice) return HandleDeviceService(device, call);
  if (service == kServiceMedia) return HandleMediaService(device, call);
  if (service == kServiceMedia2) return HandleMedia2Service(device, call);
  if (service == kServiceEvents) return HandleEventsService(device, call);
  return HandlePtzService(device, call);
}

OnvifHttpResponse OnvifSite::Handle(const OnvifHttpRequest& request, WallTime wall_now,
                                    MonoTime now) {
  const Route route = Resolve(request.target);
  if (route.device == nullptr) {
    return PlainResponse(404, "no ONVIF service at " + request.target +
                                  " (try /onvif/CAMERA/device_service)");
  }
  OnvifDevice& device = *route.device;
  if (request.method != "POST") return PlainResponse(405, "ONVIF services take POST");
  const bool soap11_quirk = device.quirks.onvif_soap11;
  Result<SoapRequest> soap = ParseSoapRequest(request.body);
  if (!soap.ok()) {
    return FaultResponse(soap11_quirk ? SoapVersion::k11 : SoapVersion::k12,
                         SoapFault{false, "ter:InvalidArgVal", soap.status().message()});
  }
  // Answer in the request's SOAP version, or in 1.1 whatever was asked (quirk onvif-soap11).
  const SoapVersion version = soap11_quirk ? SoapVersion::k11 : soap->version;
  OnvifCall call{*soap, request.onvif_authority, request.rtsp_authority,
                 wall_now + device.clock_offset, now, request.received.value_or(now), request.target};
  const bool open_operation =
      route.service == kServiceDevice && soap->operation_name() == "GetSystemDateAndTime";
  if (!open_operation) {
    std::optional<OnvifHttpResponse> refused =
        Authenticate(device, *soap, request, call.camera_now, version);
    if (refused) return *std::move(refused);
  }
  SoapOutcome outcome = Dispatch(device, route.service, call);
  if (const SoapFault* fault = std::get_if<SoapFault>(&outcome)) {
    SL_LOG(kDebug) << "camera=" << device.name << " onvif fault op=" << soap->operation_name()
                   << " " << fault->subcode << ": " << fault->reason;
    return FaultResponse(version, *fault);
  }
  OnvifHttpResponse r;
  if (const SoapHold* hold = std::get_if<SoapHold>(&outcome)) {
    r.hold_until = hold->until;
    return r;
  }
  r.content_type = std::string(SoapContentType(version));
  r.body = SoapEnvelope(version, std::get<std::string>(outcome));
  return r;
}

}  // namespace sightline::camsim
