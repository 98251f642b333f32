// Recorded playback with hls.js: the server's playlist (docs/ref/api.md "Recordings and playback")
// covers a window of wall time around the moment asked for; EXT-X-PROGRAM-DATE-TIME maps media
// positions to wall time and back. Gaps (EXT-X-GAP) are stepped over.
//
// Contract: one Playback drives one <video> from the first seek() to close(); page event loop only.

import Hls, { ErrorDetails, ErrorTypes, Events, type LevelDetails, type MediaFragment } from 'hls.js/light';
import { playlistUrl, type TimeRange } from '../api';
import { formatDateTime, kUsPerHour, kUsPerSecond, nowUs } from '../format';

// Window loaded around the asked time: an hour each side keeps a playlist small (1800 GOPs of 2 s)
// yet lets scrubbing nearby stay within one playlist.
const kWindowBeforeUs = kUsPerHour;
const kWindowAfterUs = kUsPerHour;
// Near the end of a past window, the next window is loaded so playback goes on.
const kReloadBeforeEndUs = 20 * kUsPerSecond;
const kMaxMediaRecoveries = 2;

export interface PlaybackCallbacks {
  // A sentence to show; empty clears it.
  notice(message: string): void;
  unauthorized(): void;
}

interface Source {
  camera: string;
  stream: string;
}

export class Playback {
  private hls: Hls | null = null;
  private details: LevelDetails | null = null;
  private source: Source | null = null;
  private window: TimeRange | null = null;
  private pendingSeekUs: number | null = null;
  private mediaRecoveries = 0;
  private rate = 1;

  constructor(private readonly video: HTMLVideoElement, private readonly callbacks: PlaybackCallbacks) {}

  setRate(rate: number): void {
    this.rate = rate;
    this.video.playbackRate = rate;
  }

  // Plays `stream` of `camera` from wall time `timeUs` (Unix µs).
  seek(camera: string, stream: string, timeUs: number): void {
    const same = this.source?.camera === camera && this.source.stream === stream;
    if (same && this.details && this.window && timeUs >= this.window.start_us && timeUs < this.window.end_us) {
      const pos = this.positionOf(timeUs);
      if (pos !== null) {
        this.video.currentTime = pos;
        this.play();
        return;
      }
    }
    this.load({ camera, stream }, timeUs);
  }

  close(): void {
    this.video.removeEventListener('timeupdate', this.onTimeUpdate);
    this.video.removeEventListener('waiting', this.onWaiting);
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.details = null;
    this.source = null;
    this.window = null;
    this.pendingSeekUs = null;
    this.video.removeAttribute('src');
    this.video.load();
  }

  // The wall time (Unix µs) of the picture shown, or null while nothing is loaded.
  wallTimeUs(): number | null {
    const frag = this.fragmentAt(this.video.currentTime);
    if (!frag || frag.programDateTime === null) return null;
    return Math.round(frag.programDateTime * 1000 + (this.video.currentTime - frag.start) * kUsPerSecond);
  }

  private load(source: Source, timeUs: number): void {
    this.close();
    const now = nowUs();
    const range = { start_us: timeUs - kWindowBeforeUs, end_us: Math.min(timeUs + kWindowAfterUs, now) };
    if (range.end_us <= timeUs) range.end_us = timeUs + kUsPerSecond;
    const hls = new Hls({
      // The CSP (default-src 'self') forbids the blob: worker; fMP4 needs no transmuxing anyway.
      enableWorker: false,
      autoStartLoad: false,
      maxBufferLength: 60, // media seconds ahead: 8x speed eats 8 s per second
      maxMaxBufferLength: 120,
      backBufferLength: 30,
    });
    this.hls = hls;
    this.source = source;
    this.window = range;
    this.pendingSeekUs = timeUs;
    this.mediaRecoveries = 0;
    hls.on(Events.LEVEL_LOADED, (_e, data) => this.onLevel(data.details));
    hls.on(Events.LEVEL_UPDATED, (_e, data) => this.onLevel(data.details));
    hls.on(Events.ERROR, (_e, data) => {
      if (this.hls !== hls) return;
      const code = (data.response as { code?: number } | undefined)?.code ?? 0;
      if (code === 401) {
        this.callbacks.unauthorized();
      } else if (!data.fatal) {
        return;
      } else if (code === 403) {
        this.callbacks.notice('You are not allowed to watch recordings of this camera.');
      } else if (code === 404 || data.details === ErrorDetails.LEVEL_EMPTY_ERROR) {
        this.callbacks.notice(`Nothing was recorded around ${formatDateTime(timeUs)}.`);
      } else if (data.type === ErrorTypes.MEDIA_ERROR && this.mediaRecoveries < kMaxMediaRecoveries) {
        this.mediaRecoveries++;
        hls.recoverMediaError();
      } else if (data.type === ErrorTypes.NETWORK_ERROR) {
        this.callbacks.notice('The recording could not be loaded. Retrying…');
        window.setTimeout(() => { if (this.hls === hls) this.load(source, this.wallTimeUs() ?? timeUs); }, 3000);
      } else {
        this.callbacks.notice('This recording cannot be played in this browser.');
      }
    });
    this.video.addEventListener('timeupdate', this.onTimeUpdate);
    this.video.addEventListener('waiting', this.onWaiting);
    hls.attachMedia(this.video);
    hls.loadSource(playlistUrl(source.camera, source.stream, range));
  }

  private onLevel(details: LevelDetails): void {
    this.details = details;
    if (this.pendingSeekUs === null || !this.hls) return;
    const timeUs = this.pendingSeekUs;
    this.pendingSeekUs = null;
    let pos = this.positionOf(timeUs);
    if (pos === null) {
      const next = this.firstRecordedFrom(timeUs);
      if (!next) {
        this.callbacks.notice(`Nothing was recorded at ${formatDateTime(timeUs)} or after it.`);
        return;
      }
      this.callbacks.notice(`Nothing was recorded at ${formatDateTime(timeUs)}; playing from ` +
        `${formatDateTime(next.programDateTime! * 1000)}.`);
      pos = next.start;
    } else {
      this.callbacks.notice('');
    }
    this.hls.startLoad(pos);
    this.video.currentTime = pos;
    this.play();
  }

  private play(): void {
    this.video.playbackRate = this.rate;
    this.video.play().catch(() => {
      // Autoplay refused (no user gesture yet): the play button starts it.
    });
  }

  // Media position of wall time `timeUs`, or null if no recorded fragment holds it.
  private positionOf(timeUs: number): number | null {
    for (const frag of this.details?.fragments ?? []) {
      if (frag.gap || frag.programDateTime === null) continue;
      const startUs = frag.programDateTime * 1000;
      if (timeUs >= startUs && timeUs < startUs + frag.duration * kUsPerSecond) {
        return frag.start + (timeUs - startUs) / kUsPerSecond;
      }
    }
    return null;
  }

  private firstRecordedFrom(timeUs: number): MediaFragment | null {
    for (const frag of this.details?.fragments ?? []) {
      if (!frag.gap && frag.programDateTime !== null && frag.programDateTime * 1000 >= timeUs) return frag;
    }
    return null;
  }

  private fragmentAt(position: number): MediaFragment | null {
    const frags = this.details?.fragments;
    if (!frags?.length) return null;
    let lo = 0;
    let hi = frags.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (frags[mid].start <= position) lo = mid;
      else hi = mid - 1;
    }
    return frags[lo];
  }

  // The playhead inside an EXT-X-GAP fragment: jump to the next recorded one.
  private readonly onWaiting = () => {
    const frag = this.fragmentAt(this.video.currentTime);
    if (!frag?.gap) return;
    const frags = this.details!.fragments;
    const next = frags.slice(frags.indexOf(frag) + 1).find((f) => !f.gap);
    if (next) this.video.currentTime = next.start;
  };

  private readonly onTimeUpdate = () => {
    if (this.video.seeking) return;
    this.onWaiting();
    const wall = this.wallTimeUs();
    if (wall === null || !this.window || !this.source || this.details?.live) return;
    if (wall > this.window.end_us - kReloadBeforeEndUs && this.window.end_us < nowUs() - kReloadBeforeEndUs) {
      this.load(this.source, wall);
    }
  };
}
