#include "tools/camsim/camera_spec.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "base/brace_expand.h"

namespace sightline::camsim {
namespace {

struct QuirkEntry {
  const char* name;
  bool Quirks::*flag;
};

constexpr QuirkEntry kQuirks[] = {
    {"no-sprop", &Quirks::no_sprop},           {"bad-sprop", &Quirks::bad_sprop},
    {"marker-never", &Quirks::marker_never},   {"marker-always", &Quirks::marker_always},
    {"stray-channel", &Quirks::stray_channel}, {"rtcp-before-play", &Quirks::rtcp_before_play},
    {"bogus-rtpinfo", &Quirks::bogus_rtpinfo}, {"no-session-name", &Quirks::no_session_name},
    {"annexb-in-rtp", &Quirks::annexb_in_rtp}, {"no-sr", &Quirks::no_sr},
    {"onvif-amp", &Quirks::onvif_amp},         {"onvif-xaddr-wrong", &Quirks::onvif_xaddr_wrong},
    {"onvif-xaddr-relative", &Quirks::onvif_xaddr_relative},
    {"onvif-soap11", &Quirks::onvif_soap11},   {"onvif-digest-only", &Quirks::onvif_digest_only},
    {"onvif-token-only", &Quirks::onvif_token_only},
    {"onvif-events-no-false", &Quirks::onvif_events_no_false},
    {"onvif-events-inverted", &Quirks::onvif_events_inverted},
    {"onvif-pull-immediate", &Quirks::onvif_pull_immediate},
    {"onvif-pull-hold", &Quirks::onvif_pull_hold},
    {"onvif-no-renew", &Quirks::onvif_no_renew},
};

// A non-negative decimal number of seconds (or frames per second).
Result<double> ParseSeconds(std::string_view key, std::string_view value) {
  double v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(v) || v <= 0) {
    return InvalidArgumentError("camera spec: " + std::string(key) +
                                ": expected a positive number, got '" + std::string(value) + "'");
  }
  return v;
}

Result<int> ParseMillis(std::string_view key, std::string_view value) {
  int v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < 0 || v > 600000) {
    return InvalidArgumentError("camera spec: " + std::string(key) +
                                ": expected milliseconds 0..600000, got '" + std::string(value) +
                                "'");
  }
  return v;
}

// Signed milliseconds within about a century either way (a camera clock stuck in 1970).
Result<std::chrono::milliseconds> ParseOffsetMillis(std::string_view key, std::string_view value) {
  constexpr int64_t kLimit = int64_t{100} * 366 * 86400 * 1000;
  int64_t v = 0;
  const char* begin = value.data() + (value.front() == '+' ? 1 : 0);
  auto [p, ec] = std::from_chars(begin, value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < -kLimit || v > kLimit) {
    return InvalidArgumentError("camera spec: " + std::string(key) +
                                ": expected signed milliseconds (within 100 years), got '" +
                                std::string(value) + "'");
  }
  return std::chrono::milliseconds(v);
}

}  // namespace

bool Faults::any() const {
  return drop_every_s > 0 || stall_every_s > 0 || garbage_every_s > 0 || gap_every_s > 0 ||
         tsjump_every_s > 0 || spschange_every_s > 0 || slow_ms > 0;
}

bool Quirks::any() const {
  for (const QuirkEntry& q : kQuirks) {
    if (this->*q.flag) return true;
  }
  return false;
}

std::vector<std::string> QuirkNames() {
  std::vector<std::string> out;
  for (const QuirkEntry& q : kQuirks) out.emplace_back(q.name);
  return out;
}

Result<std::vector<CameraSpec>> ParseCameraSpec(std::string_view text) {
  CameraSpec spec;
  std::string name_pattern;
  std::string sub_pattern;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = text.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgumentError("camera spec: '" + std::string(item) + "' is not key=value");
    }
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (value.empty()) {
      return InvalidArgumentError("camera spec: " + std::string(key) + ": empty value");
    }
    Faults& f = spec.faults;
    if (key == "name") {
      if (value.find('/') != std::string_view::npos || value.find('?') != std::string_view::npos) {
        return InvalidArgumentError("camera spec: name: '" + std::string(value) +
                                    "' may not contain '/' or '?'");
      }
      name_pattern = std::string(value);
    } else if (key == "sub") {
      if (value.find('/') != std::string_view::npos || value.find('?') != std::string_view::npos) {
        return InvalidArgumentError("camera spec: sub: '" + std::string(value) +
                                    "' may not contain '/' or '?'");
      }
      sub_pattern = std::string(value);
    } else if (key == "file") {
      spec.file = std::string(value);
    } else if (key == "alt") {
      f.alt_file = std::string(value);
    } else if (key == "fps") {
      ASSIGN_OR_RETURN(spec.fps, ParseSeconds(key, value));
    } else if (key == "start") {
      if (value == "0") {
        spec.start_s = 0;
      } else {
        ASSIGN_OR_RETURN(spec.start_s, ParseSeconds(key, value));
      }
    } else if (key == "clock_offset") {
      ASSIGN_OR_RETURN(spec.clock_offset, ParseOffsetMillis(key, value));
    } else if (key == "user") {
      spec.user = std::string(value);
    } else if (key == "password") {
      spec.password = std::string(value);
    } else if (key == "drop") {
      ASSIGN_OR_RETURN(f.drop_every_s, ParseSeconds(key, value));
    } else if (key == "stall") {
      const size_t slash = value.find('/');
      if (slash == std::string_view::npos) {
        return InvalidArgumentError(
            "camera spec: stall: expected S/N (stall S s every N s), got '" + std::string(value) +
            "'");
      }
      ASSIGN_OR_RETURN(f.stall_s, ParseSeconds(key, value.substr(0, slash)));
      ASSIGN_OR_RETURN(f.stall_every_s, ParseSeconds(key, value.substr(slash + 1)));
      if (f.stall_s >= f.stall_every_s) {
        return InvalidArgumentError("camera spec: stall: S must be shorter than N in '" +
                                    std::string(value) + "'");
      }
    } else if (key == "events") {
      const size_t slash = value.find('/');
      if (slash == std::string_view::npos) {
        return InvalidArgumentError("camera spec: events: expected ON/PERIOD (motion for ON s every PERIOD s), got '" +
                                    std::string(value) + "'");
      }
      ASSIGN_OR_RETURN(spec.events_on_s, ParseSeconds(key, value.substr(0, slash)));
      ASSIGN_OR_RETURN(spec.events_period_s, ParseSeconds(key, value.substr(slash + 1)));
      if (spec.events_on_s >= spec.events_period_s) {
        return InvalidArgumentError("camera spec: events: ON must be shorter than PERIOD in '" + std::string(value) +
                                    "'");
      }
    } else if (key == "garbage") {
      ASSIGN_OR_RETURN(f.garbage_every_s, ParseSeconds(key, value));
    } else if (key == "gap") {
      ASSIGN_OR_RETURN(f.gap_every_s, ParseSeconds(key, value));
    } else if (key == "tsjump") {
      ASSIGN_OR_RETURN(f.tsjump_every_s, ParseSeconds(key, value));
    } else if (key == "spschange") {
      ASSIGN_OR_RETURN(f.spschange_every_s, ParseSeconds(key, value));
    } else if (key == "slow") {
      ASSIGN_OR_RETURN(f.slow_ms, ParseMillis(key, value));
    } else if (key == "quirk") {
      bool found = false;
      for (const QuirkEntry& q : kQuirks) {
        if (value == q.name) {
          spec.quirks.*q.flag = true;
          found = true;
        }
      }
      if (!found) {
        std::string names;
        for (const QuirkEntry& q : kQuirks)
          names += std::string(names.empty() ? "" : ", ") + q.name;
        return InvalidArgumentError("camera spec: quirk: unknown quirk '" + std::string(value) +
                                    "' (known: " + names + ")");
      }
    } else {
      return InvalidArgumentError("camera spec: unknown key '" + std::string(key) + "'");
    }
  }
  if (name_pattern.empty()) return InvalidArgumentError("camera spec: name: missing");
  if (spec.file.empty()) return InvalidArgumentError("camera spec: file: missing");
  if ((spec.faults.spschange_every_s > 0) != !spec.faults.alt_file.empty()) {
    return InvalidArgumentError("camera spec: spschange: needs both spschange=N and alt=FILE");
  }
  if (spec.quirks.marker_never && spec.quirks.marker_always) {
    return InvalidArgumentError(
        "camera spec: quirk: marker-never and marker-always exclude each other");
  }
  if (spec.quirks.no_sprop && spec.quirks.bad_sprop) {
    return InvalidArgumentError("camera spec: quirk: no-sprop and bad-sprop exclude each other");
  }
  if (spec.quirks.no_sr && spec.quirks.rtcp_before_play) {
    return InvalidArgumentError("camera spec: quirk: no-sr and rtcp-before-play exclude each other");
  }
  if (spec.quirks.no_sr && spec.clock_offset.count() != 0) {
    return InvalidArgumentError("camera spec: clock_offset: a camera with quirk no-sr shows no clock");
  }
  if (spec.user.empty() != spec.password.empty()) {
    return InvalidArgumentError("camera spec: user: user and password go together");
  }
  if (spec.quirks.onvif_digest_only && spec.quirks.onvif_token_only) {
    return InvalidArgumentError(
        "camera spec: quirk: onvif-digest-only and onvif-token-only exclude each other");
  }
  if (spec.quirks.onvif_xaddr_wrong && spec.quirks.onvif_xaddr_relative) {
    return InvalidArgumentError(
        "camera spec: quirk: onvif-xaddr-wrong and onvif-xaddr-relative exclude each other");
  }
  Result<std::vector<std::string>> names = ExpandBraces(name_pattern);
  if (!names.ok()) return std::move(names).status().WithContext("camera spec: name");
  // sub= expands like name=, and the two lists pair up: name=cam{0..9},sub=cam{0..9}_sub.
  std::vector<std::string> subs;
  if (!sub_pattern.empty()) {
    Result<std::vector<std::string>> expanded = ExpandBraces(sub_pattern);
    if (!expanded.ok()) return std::move(expanded).status().WithContext("camera spec: sub");
    if (expanded->size() != names->size()) {
      return InvalidArgumentError("camera spec: sub: '" + sub_pattern + "' names " +
                                  std::to_string(expanded->size()) + " cameras, name '" +
                                  name_pattern + "' " + std::to_string(names->size()));
    }
    subs = std::move(*expanded);
  }
  std::vector<CameraSpec> out;
  out.reserve(names->size());
  for (size_t i = 0; i < names->size(); ++i) {
    CameraSpec one = spec;
    one.name = std::move((*names)[i]);
    if (!subs.empty()) {
      if (subs[i] == one.name) {
        return InvalidArgumentError("camera spec: sub: camera " + one.name +
                                    " cannot be its own substream");
      }
      one.substream = std::move(subs[i]);
    }
    out.push_back(std::move(one));
  }
  return out;
}

}  // namespace sightline::camsim
