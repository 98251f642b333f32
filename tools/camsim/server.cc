#include "tools/camsim/server.h"

#include <charconv>
#include <cmath>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/hex.h"
#include "base/logging.h"
#include "tools/camsim/connection.h"
#include "tools/camsim/onvif_devices.h"
#include "tools/camsim/onvif_server.h"
#include "tools/camsim/discovery_responder.h"
#include "tools/camsim/server_context.h"

namespace sightline::camsim {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

asio::awaitable<void> AcceptLoop(std::shared_ptr<ServerContext> ctx) {
  while (!ctx->stopped) {
    auto [ec, socket] = co_await ctx->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ctx->stopped || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of file descriptors (1000 cameras x clients): back off rather than spin.
      SL_LOG(kWarning) << "camsim: accept: " << ec.message();
      asio::steady_timer pause(ctx->executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (ctx->options.send_buffer_bytes > 0) {
      boost::system::error_code opt_ec;
      socket.set_option(asio::socket_base::send_buffer_size(ctx->options.send_buffer_bytes),
                        opt_ec);
    }
    const uint64_t id = ctx->next_connection_id++;
    auto conn = std::make_shared<Connection>(ctx, std::move(socket), id);
    ctx->connections.emplace(id, conn);
    conn->Start();
  }
}

Status LoadClips(ServerContext& ctx) {
  std::map<std::string, std::shared_ptr<const Clip>> cache;  // one load per distinct file
  auto load = [&](const std::string& file, double fps) -> Result<std::shared_ptr<const Clip>> {
    const std::string key = file + "@" + std::to_string(fps);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    ASSIGN_OR_RETURN(std::shared_ptr<const Clip> clip, LoadClip(file, fps));
    SL_LOG(kInfo) << "camsim: loaded " << file << ": " << media::CodecName(clip->codec()) << " "
                  << clip->width() << "x" << clip->height() << ", " << clip->frames().size()
                  << " frames, " << clip->duration().seconds() << " s, "
                  << static_cast<int>(clip->bitrate_bps() / 1000) << " kbit/s, "
                  << clip->packet_count() << " packets";
    cache.emplace(key, clip);
    return clip;
  };
  size_t index = 0;
  for (const CameraSpec& spec : ctx.options.cameras) {
    if (ctx.cameras.count(spec.name) != 0) {
      return InvalidArgumentError("camera " + spec.name + ": name used twice");
    }
    auto cam = std::make_unique<Camera>();
    cam->spec = spec;
    Result<std::shared_ptr<const Clip>> clip = load(spec.file, spec.fps);
    if (!clip.ok()) return std::move(clip).status().WithContext("camera " + spec.name);
    cam->clip = *clip;
    if (!spec.faults.alt_file.empty()) {
      Result<std::shared_ptr<const Clip>> alt = load(spec.faults.alt_file, spec.fps);
      if (!alt.ok()) return std::move(alt).status().WithContext("camera " + spec.name + ": alt");
      if ((*alt)->codec() != cam->clip->codec()) {
        return InvalidArgumentError("camera " + spec.name + ": alt: " + spec.faults.alt_file +
                                    " is not " + media::CodecName(cam->clip->codec()));
      }
      cam->alt = *alt;
    }
    // Spread cameras over the clip (golden-ratio steps) so that they neither show the same
    // picture nor send their keyframes at the same instant.
    const double frac = std::fmod(static_cast<double>(index++) * 0.6180339887498949, 1.0);
    const int64_t length = cam->clip->duration().ticks();
    cam->phase = media::Time90k(
        spec.start_s.has_value()
            ? static_cast<int64_t>(*spec.start_s * 90000.0) % std::max<int64_t>(length, 1)
            : static_cast<int64_t>(frac * static_cast<double>(length)));
    ctx.cameras.emplace(spec.name, std::move(cam));
  }
  return Status::Ok();
}

// The ONVIF server, and WS-Discovery announcing its devices, for the RTSP server at
// rtsp_host:rtsp_port.
Status StartOnvif(ServerContext& ctx, const std::string& rtsp_host, uint16_t rtsp_port) {
  const Options& o = ctx.options;
  ASSIGN_OR_RETURN(auto devices, BuildOnvifDevices(ctx.cameras, o.user, o.password, std::chrono::steady_clock::now()));
  Bytes nonce_bytes(16);
  for (uint8_t& b : nonce_bytes) b = static_cast<uint8_t>(ctx.rng());
  const std::string nonce = HexLower(nonce_bytes);
  auto site = std::make_unique<OnvifSite>(std::move(devices), nonce);
  OnvifServer::Options so;
  so.listen = o.onvif_listen;
  so.rtsp_host = rtsp_host;
  so.rtsp_port = rtsp_port;
  so.clock = o.clock;
  ASSIGN_OR_RETURN(ctx.onvif, OnvifServer::Start(ctx.io, so, std::move(site)));
  if (!o.ws_discovery) return Status::Ok();
  ASSIGN_OR_RETURN(auto onvif_listen, ParseListenAddress(o.onvif_listen));
  const std::string authority = onvif_listen.first + ":" + std::to_string(ctx.onvif->port());
  std::vector<DiscoveryTarget> targets;
  for (const auto& d : ctx.onvif->site().devices()) {
    targets.push_back({d->uuid, DeviceScopes(*d), ServiceUrl(*d, authority, kServiceDevice)});
  }
  DiscoveryResponder::Options dopt;
  dopt.interface_address = onvif_listen.first;
  dopt.port = o.discovery_port;
  dopt.max_delay = o.discovery_max_delay;
  dopt.seed = o.seed;
  ASSIGN_OR_RETURN(ctx.discovery, DiscoveryResponder::Start(ctx.io, dopt, std::move(targets)));
  return Status::Ok();
}

void LogException(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    SL_LOG(kError) << "camsim: accept loop failed: " << ex.what();
  } catch (...) {
    SL_LOG(kError) << "camsim: accept loop failed";
  }
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseListenAddress(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgumentError("listen address '" + std::string(text) +
                                  "': expected [v6address]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError("listen address '" + std::string(text) + "': expected host:port");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value > 65535) {
    return InvalidArgumentError("listen address '" + std::string(text) + "': bad port '" +
                                std::string(port) + "'");
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  return std::pair<std::string, uint16_t>(std::string(host), static_cast<uint16_t>(value));
}

void ServerContext::StopNow() {
  stopped = true;
  if (discovery) discovery->Stop();  // Bye before the devices go
  if (onvif) onvif->Stop();
  boost::system::error_code ec;
  acceptor.close(ec);
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [id, weak] : connections) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->Close();
  connections.clear();
}

Result<std::unique_ptr<Server>> Server::Start(asio::io_context& io, Options options) {
  if (options.cameras.empty()) return InvalidArgumentError("no cameras (--camera)");
  if (!(options.speed > 0 && options.speed <= 1000)) {
    return InvalidArgumentError("speed " + std::to_string(options.speed) + " not in (0, 1000]");
  }
  if (options.user.empty() != options.password.empty()) {
    return InvalidArgumentError("--user and --password go together");
  }
  ASSIGN_OR_RETURN(auto listen, ParseListenAddress(options.listen));
  auto ctx = std::make_shared<ServerContext>(io);
  ctx->options = std::move(options);
  ctx->rng.seed(ctx->options.seed != 0 ? ctx->options.seed : std::random_device()());
  RETURN_IF_ERROR(LoadClips(*ctx));

  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(listen.first, ec);
  if (ec) return InvalidArgumentError("listen address '" + listen.first + "': " + ec.message());
  const tcp::endpoint endpoint(address, listen.second);
  ctx->acceptor.open(endpoint.protocol(), ec);
  if (!ec) ctx->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) ctx->acceptor.bind(endpoint, ec);
  if (!ec) ctx->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("listen on " + ctx->options.listen + ": " + ec.message());
  }
  const uint16_t port = ctx->acceptor.local_endpoint(ec).port();
  ctx->start = std::chrono::steady_clock::now();
  if (!ctx->options.onvif_listen.empty()) {
    const Status onvif = StartOnvif(*ctx, listen.first, port);
    if (!onvif.ok()) {
      ctx->StopNow();  // the listeners opened so far
      return onvif;
    }
  }
  asio::co_spawn(io, AcceptLoop(ctx), LogException);
  SL_LOG(kInfo) << "camsim: serving " << ctx->cameras.size() << " cameras on rtsp://"
                << listen.first << ":" << port << "/ speed=" << ctx->options.speed;
  return std::make_unique<Server>(std::move(ctx), port);
}

Server::Server(std::shared_ptr<ServerContext> ctx, uint16_t port)
    : ctx_(std::move(ctx)), port_(port) {}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (ctx_->io.get_executor().running_in_this_thread()) {
    ctx_->StopNow();
  } else {
    asio::post(ctx_->io, [ctx = ctx_] { ctx->StopNow(); });
  }
}

std::vector<std::string> Server::camera_names() const {
  std::vector<std::string> out;
  out.reserve(ctx_->cameras.size());
  for (const auto& [name, cam] : ctx_->cameras) out.push_back(name);
  return out;
}

Result<CameraStats> Server::stats(std::string_view camera) const {
  auto it = ctx_->cameras.find(camera);
  if (it == ctx_->cameras.end()) return NotFoundError("no camera " + std::string(camera));
  return it->second->counters.Snapshot();
}

CameraStats Server::total_stats() const {
  CameraStats total;
  for (const auto& [name, cam] : ctx_->cameras) total += cam->counters.Snapshot();
  return total;
}

uint16_t Server::onvif_port() const { return ctx_->onvif ? ctx_->onvif->port() : 0; }

const Clip* Server::clip(std::string_view camera) const {
  auto it = ctx_->cameras.find(camera);
  return it == ctx_->cameras.end() ? nullptr : it->second->clip.get();
}

}  // namespace sightline::camsim
