#pragma once
// The `--camera` flag of `sightline camsim`: comma-separated key=value pairs naming one or
// more simulated cameras, their source file and the faults and quirks they show, e.g.
//
//   name=cam{0..99},file=pets.mp4,gap=5,quirk=no-sprop
//
// Parsing is pure; tools/camsim/README.md lists every key.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::camsim {

// Periods are in wall-clock seconds of streaming (not scaled by --speed); 0 means off.
struct Faults {
  double drop_every_s = 0;       // drop=N: close the connection every N s
  double stall_s = 0;            // stall=S/N: send nothing for S s ...
  double stall_every_s = 0;      // ... every N s (the connection stays open)
  double garbage_every_s = 0;    // garbage=N: random bytes between frames
  double gap_every_s = 0;        // gap=N: skip 1-5 RTP packets, sequence numbers advance
  double tsjump_every_s = 0;     // tsjump=N: RTP timestamps jump forward by 10 s
  double spschange_every_s = 0;  // spschange=N: alternate file and alt_file at keyframes
  std::string alt_file;          // alt=FILE
  int slow_ms = 0;               // slow=MS: late responses, packets in small writes

  bool any() const;
};

// Deviations from RFC 2326/6184 seen on real cameras, to exercise the client.
struct Quirks {
  bool no_sprop = false;          // fmtp without sprop-parameter-sets
  bool bad_sprop = false;         // sprop-parameter-sets that is not base64
  bool marker_never = false;      // RTP marker bit never set
  bool marker_always = false;     // RTP marker bit set on every packet
  bool stray_channel = false;     // data on interleaved channel 7 every second
  bool rtcp_before_play = false;  // an RTCP SR before the PLAY response
  bool bogus_rtpinfo = false;     // RTP-Info seq/rtptime that do not match the packets
  bool no_session_name = false;   // SDP without an s= line
  bool annexb_in_rtp = false;     // single NAL unit packets start with 00 00 00 01
  bool no_sr = false;             // no RTCP sender reports at all (RFC 3550 6.4.1 wants them)
  // ONVIF (onvif_*.h), from the camera quirks in docs/research: zoneminder#3767, go2rtc#884.
  bool onvif_amp = false;             // stream URIs with a raw '&' (not well-formed XML)
  bool onvif_xaddr_wrong = false;     // XAddrs name a host and port the camera is not at
  bool onvif_xaddr_relative = false;  // XAddrs are paths without scheme and host
  bool onvif_soap11 = false;          // answers in SOAP 1.1 whatever the request used
  bool onvif_digest_only = false;     // ignores WS-UsernameToken: HTTP Digest only
  bool onvif_token_only = false;      // no HTTP Digest: WS-UsernameToken only
  // ONVIF events (onvif_events_service.cc): zoneminder#4195, #3802, #4099.
  bool onvif_events_no_false = false;  // motion is never reported as over
  bool onvif_events_inverted = false;  // State reported backwards
  bool onvif_pull_immediate = false;   // PullMessages answers at once, ignoring its Timeout
  bool onvif_pull_hold = false;        // PullMessages held 5 s beyond its Timeout
  bool onvif_no_renew = false;         // no Renew: subscriptions must be made anew

  bool any() const;
};

struct CameraSpec {
  std::string name;  // URL path: rtsp://host:port/NAME
  std::string file;  // MP4 or raw Annex B (.h264/.264/.h265/.265/.hevc)
  double fps = 0;    // raw Annex B only: frame rate (0: 25 fps)
  // Where in the clip the camera is when the server starts, in seconds (modulo the clip's
  // length); unset: cameras are spread over the clip. Cameras given the same offset and clips of
  // the same scene (a main stream and its substream) show the same moment.
  std::optional<double> start_s;
  // clock_offset=MS: the camera's wall clock (the NTP time of its RTCP sender reports) is this
  // far ahead of ours (negative: behind), as an unset or mis-zoned camera clock is.
  std::chrono::milliseconds clock_offset{0};
  // sub=NAME: the camera that is this one's substream. Over ONVIF the two are one device with
  // two media profiles (main and sub); the substream is no ONVIF device of its own.
  std::string substream;
  // events=ON/PERIOD: over ONVIF, motion for ON s at the start of every PERIOD s (0: none).
  double events_on_s = 0;
  double events_period_s = 0;
  std::string user;  // per-camera credentials; empty: the server's --user/--password
  std::string password;
  Faults faults;
  Quirks quirks;
};

// Parses one --camera value into one camera, or several when the name holds brace ranges
// (`cam{0..99}`, `cam{000..999}` zero-padded, several ranges multiply: base/brace_expand.h).
// Errors name the key.
Result<std::vector<CameraSpec>> ParseCameraSpec(std::string_view text);

// The names of all quirks, as written after `quirk=`.
std::vector<std::string> QuirkNames();

}  // namespace sightline::camsim
