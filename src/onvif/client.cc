#include "onvif/client.h"

#include <algorithm>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/hex.h"
#include "onvif/wsse.h"

namespace sightline::onvif {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHeaderBytes = 16 * 1024;

std::string Operation(const SoapRequest& r) { return r.action.substr(r.action.rfind('/') + 1); }

// The outcome of the async chain of one exchange, run to completion on a private io_context.
struct Exchange {
  asio::io_context io;
  tcp::resolver resolver{io};
  beast::tcp_stream stream{io};
  asio::steady_timer timer{io};
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  bhttp::response_parser<bhttp::string_body> parser;
  beast::error_code error;
  const char* stage = "resolving";
  bool timed_out = false;

  void Finish(beast::error_code ec) {
    error = ec;
    timer.cancel();
  }
  void Read() {
    stage = "reading the reply";
    bhttp::async_read(stream, buffer, parser, [this](beast::error_code ec, size_t) { Finish(ec); });
  }
  void Write() {
    stage = "sending";
    bhttp::async_write(stream, request, [this](beast::error_code ec, size_t) {
      if (ec) return Finish(ec);
      Read();
    });
  }
  void Connect(const tcp::endpoint& endpoint) {
    stage = "connecting";
    stream.async_connect(endpoint, [this](beast::error_code ec) {
      if (ec) return Finish(ec);
      Write();
    });
  }
  void Start(const HttpUrl& url) {
    // Cameras are nearly always addressed by IP: no resolver (which runs a thread of its own
    // per io_context, a cost per call that 1000 event subscriptions notice).
    beast::error_code not_ip;
    const asio::ip::address ip = asio::ip::make_address(url.host, not_ip);
    if (!not_ip) return Connect(tcp::endpoint(ip, url.port));
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [this](beast::error_code ec, const tcp::resolver::results_type& results) {
                             if (ec) return Finish(ec);
                             stage = "connecting";
                             stream.async_connect(results, [this](beast::error_code ec2, const tcp::endpoint&) {
                               if (ec2) return Finish(ec2);
                               Write();
                             });
                           });
  }
  void Run(Clock::time_point deadline) {
    timer.expires_at(deadline);
    timer.async_wait([this](beast::error_code ec) {
      if (ec) return;  // cancelled: the exchange ended first
      timed_out = true;
      resolver.cancel();
      beast::error_code ignored;
      stream.socket().close(ignored);
    });
    io.run();
  }
};

Status ExchangeStatus(const Exchange& x, const HttpUrl& url, size_t max_bytes) {
  const std::string where = "POST " + url.ToString() + ": ";
  if (x.timed_out) return DeadlineExceededError(where + "no reply before the deadline (" + x.stage + ")");
  if (x.error == bhttp::error::body_limit || x.error == bhttp::error::header_limit) {
    return ResourceExhaustedError(where + "reply over " + std::to_string(max_bytes) + " bytes");
  }
  return UnavailableError(where + x.stage + ": " + x.error.message());
}

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// The Status of a reply that is not a success: the SOAP Fault it carries if any (cameras send
// faults with 400 or 500), else one for the HTTP status.
Status ReplyStatus(const HttpReply& r, bool had_credentials) {
  Status s;
  Result<SoapResponse> fault = ParseEnvelope(r.body);
  if (!fault.ok() && fault.status().message().rfind("SOAP Fault", 0) == 0) {
    s = fault.status();
  } else if (r.status >= 300 && r.status < 400) {
    s = FailedPreconditionError("HTTP " + std::to_string(r.status) + ": redirects are not followed");
  } else if (r.status == 401 || r.status == 403) {
    s = UnauthenticatedError("HTTP " + std::to_string(r.status));
  } else if (r.status == 404) {
    s = NotFoundError("HTTP 404");
  } else if (r.status >= 500) {
    s = UnavailableError("HTTP " + std::to_string(r.status));
  } else {
    s = InvalidArgumentError("HTTP " + std::to_string(r.status));
  }
  if (s.code() == StatusCode::kUnauthenticated) {
    s.AddContext(had_credentials ? "credentials refused" : "credentials needed");
  }
  return s;
}

std::optional<rtsp::AuthChallenge> DigestChallenge(const HttpReply& r) {
  std::vector<std::string_view> values(r.www_authenticate.begin(), r.www_authenticate.end());
  Result<rtsp::AuthChallenge> c = rtsp::ChooseChallenge(values);
  // Basic would send the password in the clear over plain HTTP: not answered.
  if (!c.ok() || c->scheme != rtsp::AuthChallenge::Scheme::kDigest) return std::nullopt;
  return *c;
}

}  // namespace

void Cancellation::Cancel() {
  MutexLock lock(mu_);
  cancelled_ = true;
  if (running_ != nullptr) running_->stop();
  cv_.NotifyAll();
}

bool Cancellation::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

bool Cancellation::Sleep(std::chrono::milliseconds d) {
  const Clock::time_point until = Clock::now() + d;
  MutexLock lock(mu_);
  while (!cancelled_ && cv_.WaitUntil(mu_, until)) {
  }
  return !cancelled_;
}

bool Cancellation::Enter(asio::io_context* io) {
  MutexLock lock(mu_);
  if (cancelled_) return false;
  running_ = io;
  return true;
}

void Cancellation::Leave() {
  MutexLock lock(mu_);
  running_ = nullptr;
}

Result<HttpReply> HttpPost(const HttpUrl& url, const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string body, Clock::time_point deadline, size_t max_response_bytes,
                           Cancellation* cancellation) {
  if (url.scheme != "http") return UnimplementedError("POST " + url.ToString() + ": only http is supported");
  if (Clock::now() >= deadline) return DeadlineExceededError("POST " + url.ToString() + ": deadline passed");
  Exchange x;
  const auto cancelled = [&] { return CancelledError("POST " + url.ToString() + ": cancelled"); };
  if (cancellation != nullptr && !cancellation->Enter(&x.io)) return cancelled();
  x.request = bhttp::request<bhttp::string_body>(bhttp::verb::post, url.target, 11);
  x.request.set(bhttp::field::host, url.Origin().substr(url.scheme.size() + 3));
  x.request.set(bhttp::field::user_agent, "sightline");
  x.request.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : headers) x.request.set(name, value);
  x.request.body() = std::move(body);
  x.request.prepare_payload();
  x.parser.body_limit(max_response_bytes);
  x.parser.header_limit(kMaxHeaderBytes);
  x.Start(url);
  x.Run(deadline);
  if (cancellation != nullptr) {
    cancellation->Leave();
    if (cancellation->cancelled()) return cancelled();
  }
  // A reply cut short by a close after a complete header and body is still a reply.
  if (x.timed_out || (x.error && !x.parser.is_done())) return ExchangeStatus(x, url, max_response_bytes);
  HttpReply reply;
  reply.status = static_cast<int>(x.parser.get().result_int());
  for (const auto& field : x.parser.get()) {
    if (field.name() == bhttp::field::www_authenticate) reply.www_authenticate.emplace_back(field.value());
  }
  reply.body = std::move(x.parser.get().body());
  return reply;
}

std::string_view AuthModeName(AuthMode m) {
  switch (m) {
    case AuthMode::kUnknown: return "unknown";
    case AuthMode::kNone: return "none";
    case AuthMode::kUsernameToken: return "ws-token";
    case AuthMode::kHttpDigest: return "http-digest";
  }
  return "unknown";
}

Device::Device(HttpUrl device_url, ClientOptions options) : url_(std::move(device_url)), options_(std::move(options)) {}

Clock::time_point Device::CallDeadline() const {
  const Clock::time_point own = Clock::now() + options_.call_timeout;
  return deadline_ ? std::min(own, *deadline_) : own;
}

Result<HttpReply> Device::Send(const HttpUrl& service, const SoapRequest& request, bool with_token,
                               const std::optional<std::string>& authorization) {
  std::optional<UsernameToken> token;
  if (with_token) {
    // Created on the camera's clock: cameras refuse tokens minutes off theirs.
    const WallTime camera_now = std::chrono::system_clock::now() + offset_.value_or(std::chrono::milliseconds(0));
    token = MakeUsernameToken(options_.credentials.user, options_.credentials.password, RandomNonce(), camera_now);
  }
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/soap+xml; charset=utf-8; action=\"" + request.action + "\""}};
  if (authorization) headers.emplace_back("Authorization", *authorization);
  return HttpPost(service, headers, BuildEnvelope(request.body_xml, token, request.header_xml), CallDeadline(),
                  options_.max_response_bytes, options_.cancellation.get());
}

std::string Device::DigestAuthorization(const HttpUrl& service) {
  const std::string cnonce = HexLower(RandomNonce()).substr(0, 16);
  return rtsp::AuthorizationHeader(*challenge_, options_.credentials, "POST", service.target, ++nonce_count_, cnonce);
}

Result<std::string> Device::CallWithDigest(const HttpUrl& service, const SoapRequest& request) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::optional<std::string> authorization;
    if (challenge_) authorization = DigestAuthorization(service);
    ASSIGN_OR_RETURN(HttpReply reply, Send(service, request, false, authorization));
    if (IsSuccess(reply.status)) return std::move(reply.body);
    std::optional<rtsp::AuthChallenge> fresh = reply.status == 401 ? DigestChallenge(reply) : std::nullopt;
    // A first 401 brings the (new or stale) nonce to answer; a second means the password is wrong.
    if (!fresh || (attempt == 1)) return ReplyStatus(reply, true);
    challenge_ = *fresh;
    nonce_count_ = 0;
  }
  return InternalError("unreachable");
}

Result<std::string> Device::CallWithToken(const HttpUrl& service, const SoapRequest& request) {
  ASSIGN_OR_RETURN(HttpReply reply, Send(service, request, true, std::nullopt));
  if (IsSuccess(reply.status)) {
    auth_ = AuthMode::kUsernameToken;
    return std::move(reply.body);
  }
  std::optional<rtsp::AuthChallenge> challenge = reply.status == 401 ? DigestChallenge(reply) : std::nullopt;
  if (!challenge) return ReplyStatus(reply, true);
  // Digest-only device: answer the challenge, without the token (some refuse a Security header
  // they were told to understand).
  challenge_ = *challenge;
  nonce_count_ = 0;
  Result<std::string> digest = CallWithDigest(service, request);
  if (digest.ok()) auth_ = AuthMode::kHttpDigest;
  return digest;
}

Result<std::string> Device::Call(const HttpUrl& service, const SoapRequest& request) {
  Result<std::string> out = [&]() -> Result<std::string> {
    if (options_.credentials.user.empty()) {
      ASSIGN_OR_RETURN(HttpReply reply, Send(service, request, false, std::nullopt));
      if (!IsSuccess(reply.status)) return ReplyStatus(reply, false);
      auth_ = AuthMode::kNone;
      return std::move(reply.body);
    }
    if (auth_ == AuthMode::kHttpDigest) return CallWithDigest(service, request);
    return CallWithToken(service, request);
  }();
  if (!out.ok()) return std::move(out).status().WithContext(Operation(request));
  return out;
}

Result<CameraClock> Device::MeasureClock() {
  const SoapRequest request = GetSystemDateAndTimeRequest();
  const WallTime sent = std::chrono::system_clock::now();
  Result<HttpReply> reply = Send(url_, request, false, std::nullopt);
  const WallTime received = std::chrono::system_clock::now();
  if (!reply.ok()) return std::move(reply).status().WithContext("GetSystemDateAndTime");
  std::string body = std::move(reply->body);
  if (!IsSuccess(reply->status)) {
    // Some firmware wants authentication even here (ONVIF says it must not); then the token is
    // created on our clock, which works when the clocks agree.
    if (options_.credentials.user.empty()) {
      return ReplyStatus(*reply, false).WithContext("GetSystemDateAndTime");
    }
    ASSIGN_OR_RETURN(body, Call(url_, request));
  }
  ASSIGN_OR_RETURN(CameraClock clock, ParseGetSystemDateAndTime(body));
  offset_ = ClockOffset(clock.utc, sent + (received - sent) / 2);
  return clock;
}

Result<std::chrono::milliseconds> Device::SetClockToOurs() {
  // Cameras take whole seconds: the request leaves at the start of one, carrying it.
  const WallTime at = std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now());
  std::this_thread::sleep_until(at);
  ASSIGN_OR_RETURN(std::string body, Call(url_, SetSystemDateAndTimeRequest(at)));
  RETURN_IF_ERROR(ParseDeviceAck(body, "SetSystemDateAndTime"));
  RETURN_IF_ERROR(MeasureClock().status());
  return offset_.value_or(std::chrono::milliseconds(0));
}

Status Device::UseNtp(std::string_view server) {
  ASSIGN_OR_RETURN(SoapRequest set_ntp, SetNtpRequest(server));
  ASSIGN_OR_RETURN(std::string body, Call(url_, set_ntp));
  RETURN_IF_ERROR(ParseDeviceAck(body, "SetNTP"));
  ASSIGN_OR_RETURN(std::string body2, Call(url_, UseNtpRequest()));
  return ParseDeviceAck(body2, "SetSystemDateAndTime");
}

Result<DeviceInformation> Device::GetDeviceInformation() {
  ASSIGN_OR_RETURN(std::string body, Call(url_, GetDeviceInformationRequest()));
  return ParseGetDeviceInformation(body);
}

Result<ServiceAddrs> Device::GetServices() {
  Result<std::string> services = Call(url_, GetServicesRequest());
  if (services.ok()) {
    Result<ServiceAddrs> parsed = ParseGetServices(*services, url_);
    if (parsed.ok()) return parsed;
  } else if (services.status().code() == StatusCode::kUnauthenticated ||
             services.status().code() == StatusCode::kDeadlineExceeded) {
    return services.status();
  }
  // ONVIF 1.x devices have no GetServices, and some answer it wrongly.
  ASSIGN_OR_RETURN(std::string caps, Call(url_, GetCapabilitiesRequest()));
  return ParseGetCapabilities(caps, url_);
}

Result<std::vector<MediaProfile>> Device::GetProfiles(const ServiceAddrs& services, MediaVersion version) {
  const HttpUrl& service = version == MediaVersion::kMedia2 ? services.media2 : services.media;
  if (service.target.empty()) {
    return NotFoundError(std::string("the device has no Media") + (version == MediaVersion::kMedia2 ? "2" : "1") +
                         " service");
  }
  ASSIGN_OR_RETURN(std::string body, Call(service, GetProfilesRequest(version)));
  return ParseGetProfiles(body, version);
}

Result<std::string> Device::GetStreamUri(const ServiceAddrs& services, const MediaProfile& profile) {
  const HttpUrl& service = profile.version == MediaVersion::kMedia2 ? services.media2 : services.media;
  ASSIGN_OR_RETURN(std::string body, Call(service, GetStreamUriRequest(profile.version, profile.token)));
  return ParseGetStreamUri(body, profile.version, profile.token);
}

Result<std::string> Device::GetSnapshotUri(const ServiceAddrs& services, const MediaProfile& profile) {
  const HttpUrl& service = profile.version == MediaVersion::kMedia2 ? services.media2 : services.media;
  ASSIGN_OR_RETURN(std::string body, Call(service, GetSnapshotUriRequest(profile.version, profile.token)));
  return ParseGetSnapshotUri(body, profile.version, profile.token);
}

namespace {

// Whether nothing more can be learnt from a device after this error.
bool IsUnreachable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded ||
         s.code() == StatusCode::kUnimplemented || s.code() == StatusCode::kCancelled;
}

class Prober {
 public:
  Prober(HttpUrl url, const ClientOptions& options) : device_(url, options) {
    out_.device_url = std::move(url);
    device_.SetDeadline(Clock::now() + options.device_timeout);
  }

  Result<ProbeResult> Run() {
    RETURN_IF_ERROR(Clock());
    if (Ok(device_.GetDeviceInformation(), &out_.info) && Services()) Streams();
    out_.auth_mode = device_.auth_mode();
    return std::move(out_);
  }

 private:
  // Records a failed step; true when it succeeded (and `*into` holds its value).
  template <typename T>
  bool Ok(Result<T> r, T* into) {
    if (r.ok()) {
      *into = std::move(r).value();
      return true;
    }
    if (r.status().code() == StatusCode::kUnauthenticated) out_.needs_credentials = true;
    out_.problems.push_back(r.status().message());
    return false;
  }

  // The clock, and whether there is an ONVIF device at all.
  Status Clock() {
    Result<CameraClock> clock = device_.MeasureClock();
    if (!clock.ok() && IsUnreachable(clock.status())) return clock.status();
    if (!clock.ok()) {
      CameraClock ignored;
      Ok(std::move(clock), &ignored);
    }
    out_.clock_offset = device_.clock_offset();
    return Status::Ok();
  }

  bool Services() { return Ok(device_.GetServices(), &out_.services); }

  // Profiles (Media2 first: H.265 is there on Profile T devices), the choice, the URIs.
  void Streams() {
    StreamChoice choice;
    if (out_.services.has_media2()) {
      std::vector<MediaProfile> profiles;
      if (Ok(device_.GetProfiles(out_.services, MediaVersion::kMedia2), &profiles)) {
        choice = ChooseStreams(profiles);
        if (choice.main) out_.profiles = std::move(profiles);
      }
    }
    if (!choice.main && out_.services.has_media()) {
      if (Ok(device_.GetProfiles(out_.services, MediaVersion::kMedia1), &out_.profiles)) {
        choice = ChooseStreams(out_.profiles);
      }
    }
    if (!choice.main) {
      out_.problems.push_back("no H.264 or H.265 profile found");
      return;
    }
    out_.main = choice.main;
    out_.sub = choice.sub;
    Ok(device_.GetStreamUri(out_.services, *choice.main), &out_.main_uri);
    if (choice.sub) Ok(device_.GetStreamUri(out_.services, *choice.sub), &out_.sub_uri);
    Ok(device_.GetSnapshotUri(out_.services, *choice.main), &out_.snapshot_uri);
  }

  Device device_;
  ProbeResult out_;
};

}  // namespace

Result<ProbeResult> ProbeDevice(std::string_view host_or_url, const ClientOptions& options) {
  ASSIGN_OR_RETURN(HttpUrl url, DeviceServiceUrl(host_or_url));
  return Prober(std::move(url), options).Run();
}

}  // namespace sightline::onvif
