#include "tools/camsim/clip.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <utility>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/error.h>
}

#include "media/access_unit.h"
#include "media/nal.h"
#include "media/stream_params.h"
#include "rtsp/packetizer.h"

namespace sightline::camsim {
namespace {

struct InBand {
  bool keyframe = false;
  bool vps = false, sps = false, pps = false;
};

InBand Inspect(media::Codec codec, const std::vector<ByteSpan>& nals) {
  InBand r;
  for (ByteSpan nal : nals) {
    if (media::IsKeyframeNal(codec, nal)) r.keyframe = true;
    switch (media::ClassifyNal(codec, nal)) {
      case media::NalRole::kVps:
        r.vps = true;
        break;
      case media::NalRole::kSps:
        r.sps = true;
        break;
      case media::NalRole::kPps:
        r.pps = true;
        break;
      default:
        break;
    }
  }
  return r;
}

// Cameras repeat the parameter sets before every keyframe so that a client can start
// decoding at any keyframe; MP4 files usually keep them only in the sample description. Put
// the missing ones in, after an access unit delimiter if there is one (H.264 7.4.1.2.3: the
// AUD comes first).
Bytes WithParameterSets(media::Codec codec, const std::vector<ByteSpan>& nals, const InBand& have,
                        const DecoderConfig& config) {
  Bytes out;
  size_t i = 0;
  if (!nals.empty() && media::ClassifyNal(codec, nals[0]) == media::NalRole::kAud) {
    media::AppendLengthPrefixed(nals[0], out);
    i = 1;
  }
  if (codec == media::Codec::kH265 && !have.vps) {
    for (const Bytes& p : config.vps) media::AppendLengthPrefixed(p, out);
  }
  if (!have.sps) {
    for (const Bytes& p : config.sps) media::AppendLengthPrefixed(p, out);
  }
  if (!have.pps) {
    for (const Bytes& p : config.pps) media::AppendLengthPrefixed(p, out);
  }
  for (; i < nals.size(); ++i) media::AppendLengthPrefixed(nals[i], out);
  return out;
}

struct FormatCloser {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};

std::string AvError(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

}  // namespace

Result<std::shared_ptr<const Clip>> Clip::Build(Input in, size_t max_payload_bytes) {
  auto clip = std::make_shared<Clip>(PassKey{});
  clip->source_ = in.source;
  clip->codec_ = in.codec;
  clip->width_ = in.width;
  clip->height_ = in.height;

  std::vector<InBand> facts(in.frames.size());
  std::optional<size_t> first_key;
  for (size_t i = 0; i < in.frames.size(); ++i) {
    Result<std::vector<ByteSpan>> nals = media::SplitLengthPrefixed(in.frames[i].data, 4);
    if (!nals.ok()) {
      return std::move(nals).status().WithContext(in.source + ": frame " + std::to_string(i));
    }
    facts[i] = Inspect(in.codec, *nals);
    if (facts[i].keyframe && !first_key) first_key = i;
    for (ByteSpan nal : *nals) {
      const media::NalRole role = media::ClassifyNal(in.codec, nal);
      Bytes* dest = role == media::NalRole::kVps   ? &clip->vps_
                    : role == media::NalRole::kSps ? &clip->sps_
                    : role == media::NalRole::kPps ? &clip->pps_
                                                   : nullptr;
      if (dest != nullptr && dest->empty()) dest->assign(nal.begin(), nal.end());
    }
  }
  if (!first_key) return InvalidArgumentError(in.source + ": no keyframe in the video");
  if (clip->sps_.empty() && !in.config.sps.empty()) clip->sps_ = in.config.sps[0];
  if (clip->pps_.empty() && !in.config.pps.empty()) clip->pps_ = in.config.pps[0];
  if (clip->vps_.empty() && !in.config.vps.empty()) clip->vps_ = in.config.vps[0];
  if (clip->sps_.empty() || clip->pps_.empty() ||
      (in.codec == media::Codec::kH265 && clip->vps_.empty())) {
    return InvalidArgumentError(in.source + ": no parameter sets (SPS/PPS" +
                                (in.codec == media::Codec::kH265 ? "/VPS" : "") +
                                ") in band or in the sample description");
  }

  const media::Time90k origin = in.frames[*first_key].dts;
  clip->duration_ = in.duration - (origin - in.frames[0].dts);
  if (clip->duration_ <= media::Time90k(0)) {
    return InvalidArgumentError(in.source + ": clip has no duration after its first keyframe");
  }
  rtsp::PacketizerOptions popts;
  popts.max_payload_bytes = max_payload_bytes;
  std::vector<rtsp::RtpPayload> payloads;
  clip->frames_.reserve(in.frames.size() - *first_key);
  for (size_t i = *first_key; i < in.frames.size(); ++i) {
    ClipFrame f = std::move(in.frames[i]);
    f.dts -= origin;
    f.pts -= origin;
    f.keyframe = facts[i].keyframe;
    const bool complete =
        facts[i].sps && facts[i].pps && (in.codec == media::Codec::kH264 || facts[i].vps);
    if (f.keyframe && !complete) {
      std::vector<ByteSpan> nals = *media::SplitLengthPrefixed(f.data, 4);
      f.data = WithParameterSets(in.codec, nals, facts[i], in.config);
    }
    payloads.clear();
    rtsp::PacketizeAccessUnit(in.codec, f.data, popts, payloads);
    if (payloads.empty()) {
      return InvalidArgumentError(in.source + ": frame " + std::to_string(i) +
                                  " produced no RTP packets");
    }
    f.first_packet = static_cast<uint32_t>(clip->packets_.size());
    f.packet_count = static_cast<uint32_t>(payloads.size());
    for (const rtsp::RtpPayload& p : payloads) {
      ClipPacket cp;
      cp.offset = static_cast<uint32_t>(clip->payload_bytes_.size());
      cp.size = static_cast<uint32_t>(p.bytes.size());
      cp.marker = p.marker;
      clip->packets_.push_back(cp);
      AppendBytes(clip->payload_bytes_, p.bytes);
    }
    if (f.keyframe) clip->keyframes_.push_back(clip->frames_.size());
    clip->frames_.push_back(std::move(f));
  }
  return std::shared_ptr<const Clip>(std::move(clip));
}

double Clip::bitrate_bps() const {
  return static_cast<double>(payload_bytes_.size()) * 8.0 / duration_.seconds();
}

size_t Clip::KeyframeAtOrBefore(media::Time90k offset) const {
  int64_t t = offset.ticks() % duration_.ticks();
  if (t < 0) t += duration_.ticks();
  auto it = std::upper_bound(frames_.begin(), frames_.end(), media::Time90k(t),
                             [](media::Time90k v, const ClipFrame& f) { return v < f.dts; });
  const size_t index = it == frames_.begin() ? 0 : static_cast<size_t>(it - frames_.begin()) - 1;
  auto k = std::upper_bound(keyframes_.begin(), keyframes_.end(), index);
  return k == keyframes_.begin() ? keyframes_.front() : *(k - 1);
}

size_t Clip::NextKeyframe(size_t index) const {
  auto k = std::lower_bound(keyframes_.begin(), keyframes_.end(), index);
  return k == keyframes_.end() ? frames_.size() : *k;
}

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// MP4 (or MPEG-TS, MKV: anything libavformat demuxes) with its own timestamps.
Result<std::shared_ptr<const Clip>> LoadContainer(const std::string& path) {
  AVFormatContext* raw_fmt = nullptr;
  if (int err = avformat_open_input(&raw_fmt, path.c_str(), nullptr, nullptr); err < 0) {
    return NotFoundError(path + ": cannot open: " + AvError(err));
  }
  std::unique_ptr<AVFormatContext, FormatCloser> fmt(raw_fmt);
  if (int err = avformat_find_stream_info(fmt.get(), nullptr); err < 0) {
    return InvalidArgumentError(path + ": cannot read stream info: " + AvError(err));
  }
  const int vi = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (vi < 0) return InvalidArgumentError(path + ": no video stream");
  const AVStream* st = fmt->streams[vi];
  const AVCodecParameters* par = st->codecpar;

  Clip::Input in;
  in.source = path;
  in.width = par->width;
  in.height = par->height;
  if (par->codec_id == AV_CODEC_ID_H264) {
    in.codec = media::Codec::kH264;
  } else if (par->codec_id == AV_CODEC_ID_HEVC) {
    in.codec = media::Codec::kH265;
  } else {
    return UnimplementedError(path + ": video codec " + avcodec_get_name(par->codec_id) +
                              " is not H.264 or H.265");
  }
  // An avcC/hvcC record (first byte: configurationVersion 1) means length-prefixed samples;
  // otherwise the samples are Annex B (MPEG-TS, some odd MP4 muxers).
  const bool length_prefixed = par->extradata_size > 0 && par->extradata[0] == 1;
  if (length_prefixed) {
    Result<DecoderConfig> config =
        ParseDecoderConfig(in.codec, ByteSpan(par->extradata, par->extradata_size));
    if (!config.ok()) return std::move(config).status().WithContext(path);
    in.config = std::move(*config);
  }

  std::unique_ptr<AVPacket, PacketFreer> pkt(av_packet_alloc());
  if (!pkt) return InternalError("av_packet_alloc failed");
  const AVRational k90 = {1, 90000};
  int64_t last_duration = 0;
  int64_t prev_dts = INT64_MIN;
  for (;;) {
    const int err = av_read_frame(fmt.get(), pkt.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) return IoError(path + ": read: " + AvError(err));
    if (pkt->stream_index != vi || pkt->size <= 0) {
      av_packet_unref(pkt.get());
      continue;
    }
    ClipFrame f;
    const ByteSpan sample(pkt->data, static_cast<size_t>(pkt->size));
    if (length_prefixed) {
      Result<std::vector<ByteSpan>> nals =
          media::SplitLengthPrefixed(sample, in.config.length_size);
      if (!nals.ok()) {
        av_packet_unref(pkt.get());
        return std::move(nals).status().WithContext(path + ": sample " +
                                                    std::to_string(in.frames.size()));
      }
      for (ByteSpan nal : *nals) media::AppendLengthPrefixed(nal, f.data);
    } else {
      for (ByteSpan nal : media::SplitAnnexB(sample)) media::AppendLengthPrefixed(nal, f.data);
    }
    const int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    const int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : dts;
    const int64_t duration = pkt->duration;
    av_packet_unref(pkt.get());
    if (dts == AV_NOPTS_VALUE) {
      return InvalidArgumentError(path + ": sample " + std::to_string(in.frames.size()) +
                                  " has no timestamp");
    }
    int64_t dts90 = av_rescale_q(dts, st->time_base, k90);
    // Pacing needs non-decreasing send times; a broken file's backward step is flattened.
    if (prev_dts != INT64_MIN && dts90 < prev_dts) dts90 = prev_dts;
    prev_dts = dts90;
    f.dts = media::Time90k(dts90);
    f.pts = media::Time90k(av_rescale_q(pts, st->time_base, k90));
    last_duration = duration > 0 ? av_rescale_q(duration, st->time_base, k90) : 0;
    if (!f.data.empty()) in.frames.push_back(std::move(f));
  }
  if (in.frames.empty()) return InvalidArgumentError(path + ": no video frames");
  const int64_t span = (in.frames.back().dts - in.frames.front().dts).ticks();
  if (last_duration <= 0) {
    last_duration =
        in.frames.size() > 1 ? span / static_cast<int64_t>(in.frames.size() - 1) : 90000 / 25;
  }
  in.duration = media::Time90k(span + std::max<int64_t>(last_duration, 1));
  return Clip::Build(std::move(in));
}

// A raw Annex B elementary stream, as cameras' debug dumps and `ffmpeg -f h264` write them.
Result<std::shared_ptr<const Clip>> LoadAnnexB(const std::string& path, media::Codec codec,
                                               double fps) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return ErrnoError("open " + path, errno);
  Bytes stream;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) stream.insert(stream.end(), buf, buf + n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return IoError(path + ": read failed");

  Clip::Input in;
  in.source = path;
  in.codec = codec;
  for (media::AnnexBAccessUnit& au : media::SplitAnnexBAccessUnits(codec, stream)) {
    ClipFrame frame;
    frame.data = std::move(au.data);
    in.frames.push_back(std::move(frame));
  }
  if (in.frames.empty()) return InvalidArgumentError(path + ": no access units in the stream");
  // Frame rate: the caller's, else the SPS's VUI timing, else 25 fps.
  Bytes vps, sps, pps;
  for (const ClipFrame& frame : in.frames) {
    Result<std::vector<ByteSpan>> nals = media::SplitLengthPrefixed(frame.data, 4);
    if (!nals.ok()) continue;
    for (ByteSpan nal : *nals) {
      const media::NalRole role = media::ClassifyNal(codec, nal);
      Bytes* dest = role == media::NalRole::kVps   ? &vps
                    : role == media::NalRole::kSps ? &sps
                    : role == media::NalRole::kPps ? &pps
                                                   : nullptr;
      if (dest != nullptr && dest->empty()) dest->assign(nal.begin(), nal.end());
    }
    if (!sps.empty() && !pps.empty()) break;
  }
  if (!sps.empty()) {
    Result<std::shared_ptr<const media::StreamParams>> params =
        media::MakeStreamParams(codec, vps, sps, pps);
    if (params.ok()) {
      in.width = (*params)->width;
      in.height = (*params)->height;
      if (fps <= 0 && (*params)->fps) fps = *(*params)->fps;
    }
  }
  if (fps <= 0 || fps > 1000) fps = 25;
  const double step = 90000.0 / fps;
  for (size_t i = 0; i < in.frames.size(); ++i) {
    in.frames[i].dts = in.frames[i].pts =
        media::Time90k(static_cast<int64_t>(static_cast<double>(i) * step + 0.5));
  }
  in.duration =
      media::Time90k(static_cast<int64_t>(static_cast<double>(in.frames.size()) * step + 0.5));
  return Clip::Build(std::move(in));
}

}  // namespace

Result<std::shared_ptr<const Clip>> LoadClip(const std::string& path, double raw_fps) {
  for (std::string_view ext : {".h264", ".264", ".avc"}) {
    if (EndsWith(path, ext)) return LoadAnnexB(path, media::Codec::kH264, raw_fps);
  }
  for (std::string_view ext : {".h265", ".265", ".hevc"}) {
    if (EndsWith(path, ext)) return LoadAnnexB(path, media::Codec::kH265, raw_fps);
  }
  return LoadContainer(path);
}

}  // namespace sightline::camsim
