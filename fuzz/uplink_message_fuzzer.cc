// Fuzzes the centre's parser of site messages (uplink::ParseMessage) and the site's parser of
// acknowledgements (uplink::ParseAck). Input: a subject, '\n', the message. Checks: an accepted
// message has the subject's site and lane, a valid epoch, seq >= 1 and an object body, and
// encodes back to a message that parses to the same fields (so what the centre stores is what
// a site could have sent).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "uplink/protocol.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sightline::uplink;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view subject = newline == std::string_view::npos ? "sl.s.up.event" : input.substr(0, newline);
  const std::string_view payload = newline == std::string_view::npos ? input : input.substr(newline + 1);

  (void)ParseAck(payload);
  const sightline::Result<Message> m = ParseMessage(subject, payload);
  if (!m.ok()) {
    Check(m.status().code() == sightline::StatusCode::kInvalidArgument);
    return 0;
  }
  Check(payload.size() <= kMaxMessageBytes);
  Check(IsValidSiteName(m->site) && IsValidEpoch(m->epoch) && m->seq >= 1 && m->time_us >= 0);
  Check(subject == UpSubject(m->site, m->lane));
  const sightline::Result<std::string> again = EncodeMessage(*m);
  Check(again.ok());
  const sightline::Result<Message> back = ParseMessage(subject, *again);
  // Re-encoding may grow escaped text past the size limit; otherwise it must parse the same.
  if (again->size() <= kMaxMessageBytes) {
    Check(back.ok());
    Check(back->site == m->site && back->epoch == m->epoch && back->lane == m->lane && back->seq == m->seq &&
          back->kind == m->kind && back->time_us == m->time_us && back->body == m->body &&
          back->camera == m->camera);
  }
  return 0;
}
