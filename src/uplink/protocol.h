#pragma once
// The wire protocol between a site and the centre (docs/design/multisite.md, "Protocol"):
// lanes and their priorities, NATS subjects, the message envelope of one outbox row, and the
// centre's acknowledgement (its per-lane watermarks). Pure: no NATS, no I/O, thread-safe.
// Everything parsed here came over the network and may be hostile; parsers never throw and
// name the field that is wrong.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::uplink {

// Lanes in priority order: a lower value is sent first. Each lane has its own gapless
// sequence of message ids and its own watermark.
enum class Lane : int { kAlarm = 0, kEvent = 1, kAudit = 2, kInventory = 3, kHealth = 4 };
inline constexpr int kLaneCount = 5;
inline constexpr std::array<Lane, kLaneCount> kLanesByPriority = {
    Lane::kAlarm, Lane::kEvent, Lane::kAudit, Lane::kInventory, Lane::kHealth};

// "alarm", "event", "audit", "inventory", "health": the last token of the subject.
std::string_view LaneName(Lane lane);
std::optional<Lane> LaneFromName(std::string_view name);

// A message (envelope and body) larger than this is refused by the centre; the forwarder
// replaces such a body by a stub before sending (multisite.md invariant 7).
inline constexpr size_t kMaxMessageBytes = 16 * 1024;

// A site name: 1 to 64 of A-Z a-z 0-9 _ -, so that it is one NATS subject token and per-site
// permissions can be written as `sl.NAME.>`.
bool IsValidSiteName(std::string_view name);

// sl.SITE.up.LANE: a site's messages of one lane (site -> centre).
std::string UpSubject(std::string_view site, Lane lane);
// sl.SITE.ack: the centre's watermarks for that site (centre -> site).
std::string AckSubject(std::string_view site);
// What the centre subscribes to.
inline constexpr const char* kAllUpSubjects = "sl.*.up.*";

// An outbox epoch: 32 lowercase hex digits, drawn when a site's outbox is created. Message
// ids are unique per (site, epoch, lane), so a site whose database was recreated starts a new
// sequence instead of reusing ids the centre has already seen.
bool IsValidEpoch(std::string_view epoch);

// One outbox row on the wire.
struct Message {
  std::string site;
  std::string epoch;
  Lane lane = Lane::kEvent;
  int64_t seq = 0;      // >= 1; gapless per (site, epoch, lane)
  std::string kind;     // [a-z_]{1,32}: "motion_event", "store_event", "audit", ...
  int64_t time_us = 0;  // when it happened at the site (Unix microseconds)
  std::string body;     // a JSON object (compact text)
  std::string camera;   // from body.camera when it is a string; "" otherwise (ParseMessage)
};

// The envelope as JSON text. `body` must be a JSON object (the outbox's triggers make one);
// InvalidArgument otherwise.
Result<std::string> EncodeMessage(const Message& m);

// Parses and checks a message received on `subject`: size (kMaxMessageBytes), nesting (at
// most 16 levels), JSON, version, every field's type and range, the site and lane against
// the subject's tokens, no NUL in any string (PostgreSQL cannot store it). InvalidArgument
// naming the subject and the field otherwise.
Result<Message> ParseMessage(std::string_view subject, std::string_view data);

// The centre's acknowledgement: for one epoch of a site, each lane's watermark (every id at or
// below it is committed in PostgreSQL). Lanes the centre has not seen are absent.
struct Ack {
  std::string epoch;
  std::array<std::optional<int64_t>, kLaneCount> watermark;
};
std::string EncodeAck(const Ack& ack);
Result<Ack> ParseAck(std::string_view data);

}  // namespace sightline::uplink
