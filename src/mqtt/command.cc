#include "mqtt/command.h"

#include <algorithm>

namespace sightline::mqtt {
namespace {

constexpr size_t kMaxCameraName = 64;
constexpr size_t kMaxPrintable = 64;

bool IsCameraName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxCameraName && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsUpper(std::string_view s, std::string_view upper) {
  return s.size() == upper.size() && std::equal(s.begin(), s.end(), upper.begin(), [](char a, char b) {
           return (a >= 'a' && a <= 'z' ? static_cast<char>(a - 'a' + 'A') : a) == b;
         });
}

// The switch named by "<switch>/set", or nothing.
bool ParseLeaf(std::string_view leaf, Switch* out) {
  for (Switch s : {Switch::kRecording, Switch::kMotion}) {
    if (leaf == std::string(SwitchName(s)) + "/set") {
      *out = s;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string Printable(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, kMaxPrintable)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (bytes.size() > kMaxPrintable) out += "...";
  return out;
}

Result<Command> ParseCommand(const Topics& topics, std::string_view topic, std::string_view payload) {
  const auto refuse = [&](std::string_view why) {
    return InvalidArgumentError("mqtt command on topic \"" + Printable(topic) + "\": " + std::string(why));
  };
  const std::string prefix = topics.prefix() + "/";
  if (!topic.starts_with(prefix)) return refuse("not under the prefix " + prefix);
  const std::string_view rest = topic.substr(prefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return refuse("expected <prefix>/<camera>/<recording|motion>/set");
  Command c;
  const std::string_view camera = rest.substr(0, slash);
  if (!IsCameraName(camera)) return refuse("the camera name is not 1 to 64 of A-Z a-z 0-9 _ -");
  if (!ParseLeaf(rest.substr(slash + 1), &c.what)) {
    return refuse("expected <prefix>/<camera>/<recording|motion>/set");
  }
  c.camera = std::string(camera);
  if (payload.size() > kMaxCommandPayloadBytes) return refuse("the payload is not ON or OFF (too long)");
  const std::string_view word = Trim(payload);
  if (EqualsUpper(word, kOn)) {
    c.on = true;
  } else if (EqualsUpper(word, kOff)) {
    c.on = false;
  } else {
    return refuse("the payload \"" + Printable(payload) + "\" is not ON or OFF");
  }
  return c;
}

}  // namespace sightline::mqtt
