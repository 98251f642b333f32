#include "decode/file_reader.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "decode/av_handles.h"
#include "media/nal.h"
#include "media/stream_params.h"
#include "mp4/decoder_config.h"

extern "C" {
#include <libavutil/mathematics.h>
}

namespace sightline::decode {
namespace {

// The NAL length size of an avcC (ISO/IEC 14496-15 5.3.3.1, byte 4) or hvcC (8.3.3.1, byte
// 21) record, or 0 when the extradata is absent or in Annex B form (the samples are Annex B).
int NalLengthSize(media::Codec codec, ByteSpan extradata) {
  if (extradata.empty() || extradata[0] != 1) return 0;
  if (codec == media::Codec::kH264 && extradata.size() >= 5) return (extradata[4] & 3) + 1;
  if (codec == media::Codec::kH265 && extradata.size() >= 22) return (extradata[21] & 3) + 1;
  return 0;
}

class AvFileReader final : public FileReader {
 public:
  AvFileReader(std::string path, Options options, FormatContextPtr format, int stream_index,
               media::Codec codec, int length_size)
      : path_(std::move(path)),
        options_(options),
        format_(std::move(format)),
        stream_index_(stream_index),
        codec_(codec),
        length_size_(length_size),
        packet_(av_packet_alloc()) {}

  Status Init(ByteSpan extradata);
  Result<media::FramePtr> Next() override;
  media::Codec codec() const override { return codec_; }

 private:
  Status Error(std::string_view what) const {
    return DataLossError(path_ + ": frame " + std::to_string(index_) + ": " + std::string(what));
  }
  // Takes note of parameter sets and makes new StreamParams when they differ from the current.
  Status TrackParameterSets(const std::vector<ByteSpan>& nals);

  std::string path_;
  Options options_;
  FormatContextPtr format_;
  int stream_index_;
  media::Codec codec_;
  int length_size_;  // 0: Annex B samples
  PacketPtr packet_;
  std::shared_ptr<const media::StreamParams> params_;
  Bytes vps_, sps_, pps_;  // the latest seen
  std::optional<int64_t> first_pts_90k_;
  int64_t index_ = 0;
};

Status AvFileReader::Init(ByteSpan extradata) {
  if (packet_ == nullptr) return ResourceExhaustedError(path_ + ": out of memory");
  if (extradata.empty()) return Status::Ok();
  std::vector<ByteSpan> nals;
  mp4::ParameterSets sets;
  if (length_size_ > 0) {
    Result<mp4::ParameterSets> parsed =
        codec_ == media::Codec::kH264 ? mp4::ParseAvcC(extradata) : mp4::ParseHvcC(extradata);
    if (!parsed.ok()) return std::move(parsed).status().WithContext(path_ + ": decoder config");
    sets = std::move(parsed).value();
    for (const Bytes* b : {&sets.vps, &sets.sps, &sets.pps}) {
      if (!b->empty()) nals.emplace_back(*b);
    }
  } else {
    nals = media::SplitAnnexB(extradata);
  }
  return TrackParameterSets(nals);
}

Status AvFileReader::TrackParameterSets(const std::vector<ByteSpan>& nals) {
  bool changed = false;
  for (ByteSpan nal : nals) {
    Bytes* slot = nullptr;
    switch (media::ClassifyNal(codec_, nal)) {
      case media::NalRole::kVps: slot = &vps_; break;
      case media::NalRole::kSps: slot = &sps_; break;
      case media::NalRole::kPps: slot = &pps_; break;
      default: continue;
    }
    if (!std::equal(slot->begin(), slot->end(), nal.begin(), nal.end())) {
      slot->assign(nal.begin(), nal.end());
      changed = true;
    }
  }
  if (!changed || sps_.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(params_, media::MakeStreamParams(codec_, vps_, sps_, pps_));
  return Status::Ok();
}

Result<media::FramePtr> AvFileReader::Next() {
  AVPacket* pkt = packet_.get();
  const AVStream* stream = format_->streams[stream_index_];
  for (;;) {
    const int err = av_read_frame(format_.get(), pkt);
    if (err == AVERROR_EOF) return media::FramePtr();
    if (err < 0) return IoError(path_ + ": frame " + std::to_string(index_) + ": " +
                                AvErrorString(err));
    if (pkt->stream_index == stream_index_) break;
    av_packet_unref(pkt);
  }
  const ByteSpan bytes(pkt->data, static_cast<size_t>(pkt->size));
  std::vector<ByteSpan> nals;
  if (length_size_ > 0) {
    Result<std::vector<ByteSpan>> split = media::SplitLengthPrefixed(bytes, length_size_);
    if (!split.ok()) {
      av_packet_unref(pkt);
      return Error(split.status().message());
    }
    nals = std::move(split).value();
  } else {
    nals = media::SplitAnnexB(bytes);
  }
  auto frame = std::make_shared<media::Frame>();
  frame->codec = codec_;
  for (ByteSpan nal : nals) {
    media::AppendLengthPrefixed(nal, frame->data);
    frame->keyframe = frame->keyframe || media::IsKeyframeNal(codec_, nal);
  }
  const Status params = TrackParameterSets(nals);
  const int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
  av_packet_unref(pkt);
  if (!params.ok()) return Error(params.message());
  if (nals.empty()) return Error("no NAL units");

  const int64_t pts_90k =
      ts == AV_NOPTS_VALUE ? 0 : av_rescale_q(ts, stream->time_base, AVRational{1, 90000});
  if (!first_pts_90k_) first_pts_90k_ = pts_90k;
  frame->pts = media::Time90k(pts_90k);
  frame->wall_time =
      options_.start + std::chrono::duration_cast<WallTime::duration>(
                           std::chrono::microseconds((pts_90k - *first_pts_90k_) * 100 / 9));
  frame->arrival = std::chrono::steady_clock::now();
  frame->after_loss = index_ == 0;
  frame->params = params_;
  ++index_;
  return media::FramePtr(std::move(frame));
}

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path, Options options) {
  AVFormatContext* raw = nullptr;
  if (const int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); err < 0) {
    // avformat_open_input frees the context on failure.
    return IoError(path + ": cannot open: " + AvErrorString(err));
  }
  FormatContextPtr format(raw);
  if (const int err = avformat_find_stream_info(format.get(), nullptr); err < 0) {
    return InvalidArgumentError(path + ": no stream info: " + AvErrorString(err));
  }
  const int index = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (index < 0) return NotFoundError(path + ": no video stream");
  const AVCodecParameters& par = *format->streams[index]->codecpar;
  media::Codec codec;
  if (par.codec_id == AV_CODEC_ID_H264) {
    codec = media::Codec::kH264;
  } else if (par.codec_id == AV_CODEC_ID_HEVC) {
    codec = media::Codec::kH265;
  } else {
    return UnimplementedError(path + ": video codec " + avcodec_get_name(par.codec_id) +
                              " is neither H.264 nor H.265");
  }
  const ByteSpan extradata(par.extradata,
                          par.extradata == nullptr ? 0 : static_cast<size_t>(par.extradata_size));
  auto reader = std::make_unique<AvFileReader>(path, options, std::move(format), index, codec,
                                               NalLengthSize(codec, extradata));
  RETURN_IF_ERROR(reader->Init(extradata));
  return std::unique_ptr<FileReader>(std::move(reader));
}

}  // namespace sightline::decode
