#include "uplink/protocol.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace sightline::uplink {
namespace {

using Json = nlohmann::json;

constexpr int kVersion = 1;
constexpr int kMaxNesting = 16;
constexpr size_t kMaxKindBytes = 32;
constexpr std::array<std::string_view, kLaneCount> kLaneNames = {"alarm", "event", "audit",
                                                                 "inventory", "health"};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool IsValidKind(std::string_view kind) {
  return !kind.empty() && kind.size() <= kMaxKindBytes &&
         std::all_of(kind.begin(), kind.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// The deepest nesting of arrays and objects, counted outside strings, stopping early past
// `limit`: checked before parsing, so hostile input never drives a deep recursion.
int Nesting(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// True if a string anywhere in `j` (keys included) holds a NUL.
bool HasNul(const Json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key.find('\0') != std::string::npos || HasNul(value)) return true;
    }
  } else if (j.is_array()) {
    for (const Json& v : j) {
      if (HasNul(v)) return true;
    }
  }
  return false;
}

// The subject's tokens sl.SITE.up.LANE, or an error.
Status SplitUpSubject(std::string_view subject, std::string_view* site, std::string_view* lane) {
  constexpr std::string_view kPrefix = "sl.";
  constexpr std::string_view kUp = ".up.";
  const size_t up = subject.find(kUp);
  if (!subject.starts_with(kPrefix) || up == std::string_view::npos || up < kPrefix.size()) {
    return InvalidArgumentError("not a site subject (sl.SITE.up.LANE)");
  }
  *site = subject.substr(kPrefix.size(), up - kPrefix.size());
  *lane = subject.substr(up + kUp.size());
  return Status();
}

// Reads field `key` of object `j` as an integer in [min, max].
Result<int64_t> IntField(const Json& j, const char* key, int64_t min, int64_t max) {
  auto it = j.find(key);
  if (it == j.end()) return InvalidArgumentError(std::string("field '") + key + "' is missing");
  if (!it->is_number_integer()) return InvalidArgumentError(std::string("field '") + key + "' is not an integer");
  const bool too_big = it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX};
  const int64_t v = too_big ? 0 : it->get<int64_t>();
  if (too_big || v < min || v > max) {
    return InvalidArgumentError(std::string("field '") + key + "' is out of range");
  }
  return v;
}

Result<std::string> StringField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return InvalidArgumentError(std::string("field '") + key + "' is missing");
  if (!it->is_string()) return InvalidArgumentError(std::string("field '") + key + "' is not a string");
  return it->get<std::string>();
}

// The envelope's fields, checked; the subject's site and lane are compared by the caller.
Result<Message> MessageFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgumentError("not a JSON object");
  ASSIGN_OR_RETURN(int64_t version, IntField(j, "v", 0, INT32_MAX));
  if (version != kVersion) return InvalidArgumentError("version " + std::to_string(version) + " is not 1");
  Message m;
  ASSIGN_OR_RETURN(m.site, StringField(j, "site"));
  if (!IsValidSiteName(m.site)) return InvalidArgumentError("field 'site' is not a site name");
  ASSIGN_OR_RETURN(m.epoch, StringField(j, "epoch"));
  if (!IsValidEpoch(m.epoch)) return InvalidArgumentError("field 'epoch' is not 32 lowercase hex digits");
  ASSIGN_OR_RETURN(std::string lane, StringField(j, "lane"));
  std::optional<Lane> l = LaneFromName(lane);
  if (!l) return InvalidArgumentError("field 'lane' is not a lane");
  m.lane = *l;
  ASSIGN_OR_RETURN(m.seq, IntField(j, "seq", 1, INT64_MAX));
  ASSIGN_OR_RETURN(m.kind, StringField(j, "kind"));
  if (!IsValidKind(m.kind)) return InvalidArgumentError("field 'kind' is not [a-z_]{1,32}");
  ASSIGN_OR_RETURN(m.time_us, IntField(j, "time_us", 0, INT64_MAX));
  auto body = j.find("body");
  if (body == j.end() || !body->is_object()) return InvalidArgumentError("field 'body' is not a JSON object");
  auto camera = body->find("camera");
  if (camera != body->end() && camera->is_string()) m.camera = camera->get<std::string>();
  m.body = body->dump();
  return m;
}

}  // namespace

std::string_view LaneName(Lane lane) { return kLaneNames[static_cast<int>(lane)]; }

std::optional<Lane> LaneFromName(std::string_view name) {
  for (Lane lane : kLanesByPriority) {
    if (LaneName(lane) == name) return lane;
  }
  return std::nullopt;
}

bool IsValidSiteName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsValidEpoch(std::string_view epoch) {
  return epoch.size() == 32 && std::all_of(epoch.begin(), epoch.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string UpSubject(std::string_view site, Lane lane) {
  return "sl." + std::string(site) + ".up." + std::string(LaneName(lane));
}

std::string AckSubject(std::string_view site) { return "sl." + std::string(site) + ".ack"; }

Result<std::string> EncodeMessage(const Message& m) {
  Json body = Json::parse(m.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return InvalidArgumentError("message body is not a JSON object");
  Json j = {{"v", kVersion}, {"site", m.site},  {"epoch", m.epoch}, {"lane", LaneName(m.lane)},
            {"seq", m.seq},  {"kind", m.kind},  {"time_us", m.time_us}, {"body", std::move(body)}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Message> ParseMessage(std::string_view subject, std::string_view data) {
  auto refuse = [&](const Status& s) {
    return InvalidArgumentError("subject " + std::string(subject.substr(0, 200)) + ": " + s.message());
  };
  std::string_view subject_site, subject_lane;
  if (Status s = SplitUpSubject(subject, &subject_site, &subject_lane); !s.ok()) return refuse(s);
  if (data.size() > kMaxMessageBytes) {
    return refuse(InvalidArgumentError(std::to_string(data.size()) + " bytes is more than the " +
                                       std::to_string(kMaxMessageBytes) + " allowed"));
  }
  if (Nesting(data, kMaxNesting) > kMaxNesting) {
    return refuse(InvalidArgumentError("nested deeper than " + std::to_string(kMaxNesting) + " levels"));
  }
  const Json j = Json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return refuse(InvalidArgumentError("not valid JSON (or not UTF-8)"));
  if (HasNul(j)) return refuse(InvalidArgumentError("a string holds a NUL character"));
  Result<Message> m = MessageFromJson(j);
  if (!m.ok()) return refuse(m.status());
  if (m->site != subject_site) {
    return refuse(InvalidArgumentError("field 'site' (" + m->site + ") is not the subject's site"));
  }
  if (LaneName(m->lane) != subject_lane) {
    return refuse(InvalidArgumentError("field 'lane' (" + std::string(LaneName(m->lane)) +
                                       ") is not the subject's lane"));
  }
  return m;
}

std::string EncodeAck(const Ack& ack) {
  Json lanes = Json::object();
  for (Lane lane : kLanesByPriority) {
    if (const auto& w = ack.watermark[static_cast<int>(lane)]) lanes[std::string(LaneName(lane))] = *w;
  }
  return Json{{"v", kVersion}, {"epoch", ack.epoch}, {"lanes", std::move(lanes)}}.dump();
}

Result<Ack> ParseAck(std::string_view data) {
  if (data.size() > kMaxMessageBytes || Nesting(data, kMaxNesting) > kMaxNesting) {
    return InvalidArgumentError("ack: too large or too deeply nested");
  }
  const Json j = Json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgumentError("ack: not a JSON object");
  ASSIGN_OR_RETURN(int64_t version, IntField(j, "v", 0, INT32_MAX));
  if (version != kVersion) return InvalidArgumentError("ack: version " + std::to_string(version) + " is not 1");
  Ack ack;
  ASSIGN_OR_RETURN(ack.epoch, StringField(j, "epoch"));
  if (!IsValidEpoch(ack.epoch)) return InvalidArgumentError("ack: field 'epoch' is not an epoch");
  auto lanes = j.find("lanes");
  if (lanes == j.end() || !lanes->is_object()) return InvalidArgumentError("ack: field 'lanes' is not an object");
  for (Lane lane : kLanesByPriority) {
    const std::string name(LaneName(lane));
    if (!lanes->contains(name)) continue;
    Result<int64_t> w = IntField(*lanes, name.c_str(), 0, INT64_MAX);
    if (!w.ok()) return InvalidArgumentError("ack: lanes." + w.status().message());
    ack.watermark[static_cast<int>(lane)] = *w;
  }
  return ack;
}

}  // namespace sightline::uplink
