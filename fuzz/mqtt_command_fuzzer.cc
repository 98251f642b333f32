// Fuzzes mqtt::ParseCommand, the parser of what anyone allowed to publish on the broker sends
// to <prefix>/<camera>/{recording,motion}/set. The first byte splits the input into topic and
// payload. Checks: an accepted command names a camera of 1 to 64 allowed characters, comes
// from the topic its own fields rebuild, and its payload is ON or OFF; a refusal is
// InvalidArgument naming the topic; Printable output is printable ASCII.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mqtt/command.h"
#include "mqtt/topics.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t split = std::min<size_t>(data[0], input.size());
  const std::string_view topic = input.substr(0, split);
  const std::string_view payload = input.substr(split);
  const sightline::mqtt::Topics topics("sightline");
  sightline::Result<sightline::mqtt::Command> c = sightline::mqtt::ParseCommand(topics, topic, payload);
  if (c.ok()) {
    Check(!c->camera.empty() && c->camera.size() <= 64);
    Check(topics.SwitchCommand(c->camera, c->what) == topic);
    Check(payload.size() <= sightline::mqtt::kMaxCommandPayloadBytes);
  } else {
    Check(c.status().code() == sightline::StatusCode::kInvalidArgument);
    Check(c.status().message().starts_with("mqtt command on topic \""));
  }
  for (char ch : sightline::mqtt::Printable(input)) Check(ch >= 0x20 && ch < 0x7f);
  return 0;
}
