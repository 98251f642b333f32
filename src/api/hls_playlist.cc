#include "api/hls_playlist.h"

#include <algorithm>
#include <charconv>

#include "store/export.h"
#include "store/fragment_table.h"

namespace sightline::api {
namespace {

void AppendInt(std::string& out, uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// Seconds with millisecond precision, e.g. "2.000".
void AppendSeconds(std::string& out, int64_t ticks_90k) {
  const int64_t ms = (ticks_90k + 45) / 90;
  AppendInt(out, static_cast<uint64_t>(ms / 1000));
  char frac[4] = {static_cast<char>('0' + ms % 1000 / 100), static_cast<char>('0' + ms % 100 / 10),
                  static_cast<char>('0' + ms % 10), 0};
  out += '.';
  out += frac;
}

}  // namespace

Result<std::string> HlsPlaylist(const std::vector<store::SegmentRow>& segments,
                                const PlaylistRequest& request) {
  std::string body;
  body.reserve(segments.size() * 32 * 80);
  int64_t max_duration_90k = 0;
  int64_t last_end_us = 0;
  const store::SegmentRow* last = nullptr;
  for (const store::SegmentRow& seg : segments) {
    Result<std::vector<store::FragmentEntry>> table =
        store::DecodeFragmentTable(seg.fragments, seg.init_length, seg.start_us);
    if (!table.ok()) {
      return std::move(table).status().WithContext("segment " + std::to_string(seg.id));
    }
    const std::vector<store::FragmentEntry>& fragments = *table;
    std::string uri = "segments/";
    AppendInt(uri, static_cast<uint64_t>(seg.id));
    uri += ".mp4\n";
    bool file_started = false;
    for (const store::FragmentEntry& f : fragments) {
      const int64_t end_us = f.wall_us + store::Ticks90kToUs(f.duration_90k);
      if (end_us <= request.start_us || f.wall_us >= request.end_us) continue;
      const bool new_params = !file_started && last != nullptr &&
                              (seg.codec != last->codec || seg.width != last->width ||
                               seg.height != last->height);
      const bool discontinuity =
          last != nullptr && (new_params || f.wall_us - last_end_us > kGapUs);
      if (discontinuity) body += "#EXT-X-DISCONTINUITY\n";
      if (!file_started || discontinuity) {
        body += "#EXT-X-MAP:URI=\"";
        body.append(uri, 0, uri.size() - 1);
        body += "\",BYTERANGE=\"";
        AppendInt(body, seg.init_length);
        body += "@0\"\n#EXT-X-PROGRAM-DATE-TIME:";
        body += store::FormatIso8601(f.wall_us);
        body += '\n';
        file_started = true;
      }
      body += "#EXTINF:";
      AppendSeconds(body, f.duration_90k);
      body += ",\n#EXT-X-BYTERANGE:";
      AppendInt(body, f.length);
      body += '@';
      AppendInt(body, f.offset);
      body += '\n';
      body += uri;
      max_duration_90k = std::max(max_duration_90k, f.duration_90k);
      last_end_us = end_us;
      last = &seg;
    }
  }
  std::string out =
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-TARGETDURATION:";
  // EXT-X-TARGETDURATION is the longest EXTINF rounded to the nearest integer (RFC 8216 4.3.3.1).
  AppendInt(out, static_cast<uint64_t>(std::max<int64_t>(1, (max_duration_90k + 45000) / 90000)));
  out += "\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:";
  out += request.complete ? "VOD\n" : "EVENT\n";
  out += body;
  if (request.complete) out += "#EXT-X-ENDLIST\n";
  return out;
}

}  // namespace sightline::api
