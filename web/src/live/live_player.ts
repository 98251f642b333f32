// Live view: fragmented MP4 from the live WebSocket (docs/ref/api.md "Live view") into Media Source
// Extensions. The server sends a text "init" message (codec), the init segment, then one fragment
// per frame starting at the latest keyframe.
//
// Contract: one LivePlayer drives one <video> from start() to stop(); all work runs on the page's
// event loop. After stop() the element has no source and the player may be started again.

// 'ended': the server closed the view because the user's access ended (logout, password change,
// disabled, camera revoked ...); the player does not reconnect.
export type LiveState = 'connecting' | 'playing' | 'offline' | 'reconnecting' | 'unsupported' | 'ended' | 'stopped';

export interface LiveStatus {
  state: LiveState;
  message: string; // empty while playing
}

// 'segments' places each fragment at its own decode time (tfdt), so frames stay in place even when
// a fragment's duration is only an estimate; a skipped GOP leaves a hole that the live-edge jump
// below steps over. 'sequence' would butt fragments together and depend on exact durations.
const kAppendMode: AppendMode = 'segments';
const kMaxLatencyS = 1.0; // further behind the newest frame than this: jump to the live edge
// Where to play from: this much before the newest frame. Chromium that starts (or resumes) playing
// with a single frame in hand stays stalled for good while frames trickle in one by one; with 0.3 s
// in hand it plays on (measured with 10 fps per-frame appends), and a jump back here unsticks it.
// 0.5 s leaves room for network jitter.
const kCushionS = 0.5;
const kStuckMs = 500; // stalled this long after a jump despite the cushion: jump again
const kKeepBehindS = 10; // buffer kept behind the playhead
const kTrimSlackS = 5; // trim only once this much more has piled up, not after every frame
// Messages waiting to be appended (~15 s at 10 fps). Beyond this the browser is not keeping up
// (a busy phone, a throttled tab): reconnecting makes the server start again at a keyframe.
const kMaxQueuedMessages = 150;
const kBackoffMs = [1000, 2000, 4000, 8000, 15000];
// The close code the server sends when the user may no longer watch (RFC 6455 section 7.4.1,
// "policy violation"; docs/ref/api.md "Live view"): retrying would only be refused again.
const kClosePolicyViolation = 1008;

type Op =
  | { kind: 'append'; data: ArrayBuffer }
  | { kind: 'remove'; start: number; end: number }
  | { kind: 'changeType'; mime: string };

export class LivePlayer {
  private ws: WebSocket | null = null;
  private mediaSource: MediaSource | null = null;
  private objectUrl = '';
  private sourceBuffer: SourceBuffer | null = null;
  private mime = '';
  private queue: Op[] = [];
  private attempt = 0;
  private retryTimer = 0;
  private running = false;
  private playing = false;
  private lastJumpMs = 0;
  private status: LiveStatus = { state: 'stopped', message: '' };

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly socketUrl: () => string,
    private readonly onStatus: (status: LiveStatus) => void,
  ) {
    video.muted = true;
    video.playsInline = true;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.video.addEventListener('error', this.onVideoError);
    if (!document.hidden) this.connect();
  }

  stop(): void {
    this.running = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.video.removeEventListener('error', this.onVideoError);
    this.disconnect();
    this.setStatus('stopped', '');
  }

  // A hidden tab gets no frames: it saves the link and the battery, and the server restarts the
  // stream at a keyframe when the tab is shown again.
  private readonly onVisibility = () => {
    if (!this.running) return;
    if (document.hidden) {
      this.disconnect();
    } else if (!this.ws) {
      this.attempt = 0;
      this.connect();
    }
  };

  private readonly onVideoError = () => {
    if (this.mediaSource) this.restart('The video could not be decoded.');
  };

  private connect(): void {
    clearTimeout(this.retryTimer);
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting', 'Connecting…');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.socketUrl());
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      if (typeof ev.data === 'string') this.onText(ev.data);
      else this.onBinary(ev.data as ArrayBuffer);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.teardownMedia();
      if (ev.code === kClosePolicyViolation) {
        this.end(ev.reason || 'Access to this camera ended.');
        return;
      }
      this.scheduleReconnect();
    };
  }

  // Stops for good, showing why; start() (a reload of the page) tries again.
  private end(reason: string): void {
    this.running = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.video.removeEventListener('error', this.onVideoError);
    this.disconnect();
    this.setStatus('ended', reason);
  }

  private disconnect(): void {
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
    this.teardownMedia();
  }

  private restart(reason: string): void {
    this.disconnect();
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason = 'No connection to the live stream.'): void {
    if (!this.running || document.hidden || this.status.state === 'unsupported') return;
    const delay = kBackoffMs[Math.min(this.attempt, kBackoffMs.length - 1)];
    this.attempt++;
    if (this.status.state !== 'offline') {
      this.setStatus('reconnecting', `${reason} Retrying in ${delay / 1000} s…`);
    }
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  private onText(text: string): void {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    // "skipped" (whole GOPs dropped for a slow viewer) needs nothing: the hole it leaves in the
    // buffer is stepped over by followLiveEdge().
    if (msg?.type === 'init' && typeof msg.codec === 'string') {
      this.onInit(msg.codec);
    } else if (msg?.type === 'status' && msg.online === false) {
      this.playing = false;
      this.setStatus('offline', 'The camera is offline. Waiting for it to come back…');
    }
  }

  private onInit(codec: string): void {
    const mime = `video/mp4; codecs="${codec}"`;
    if (!('MediaSource' in window) || !MediaSource.isTypeSupported(mime)) {
      this.setStatus('unsupported', `This browser cannot play this camera's video format (${codec}).`);
      this.disconnect();
      return;
    }
    if (!this.mediaSource) {
      this.mime = mime;
      this.createMedia();
    } else if (mime !== this.mime) {
      // New stream parameters: the init segment that follows needs a SourceBuffer of the new type.
      this.mime = mime;
      if (this.sourceBuffer && typeof this.sourceBuffer.changeType === 'function') {
        this.queue.push({ kind: 'changeType', mime });
      } else if (this.sourceBuffer) {
        this.teardownMedia();
        this.mime = mime;
        this.createMedia();
      }
    }
  }

  private onBinary(data: ArrayBuffer): void {
    if (!this.mediaSource) return; // no init message yet (or an unsupported codec)
    this.queue.push({ kind: 'append', data });
    if (this.queue.length > kMaxQueuedMessages) {
      this.restart('The browser is not keeping up with the video.');
      return;
    }
    this.pump();
  }

  private createMedia(): void {
    const ms = new MediaSource();
    this.mediaSource = ms;
    this.objectUrl = URL.createObjectURL(ms);
    ms.addEventListener('sourceopen', () => {
      if (this.mediaSource !== ms) return;
      try {
        const sb = ms.addSourceBuffer(this.mime);
        sb.mode = kAppendMode;
        sb.addEventListener('updateend', this.onUpdateEnd);
        this.sourceBuffer = sb;
      } catch {
        this.setStatus('unsupported', 'This browser cannot play this camera\'s video format.');
        this.disconnect();
        return;
      }
      this.pump();
    }, { once: true });
    this.video.src = this.objectUrl;
  }

  private teardownMedia(): void {
    this.queue = [];
    this.playing = false;
    if (this.sourceBuffer) this.sourceBuffer.removeEventListener('updateend', this.onUpdateEnd);
    this.sourceBuffer = null;
    if (this.mediaSource) {
      this.mediaSource = null;
      this.video.removeAttribute('src');
      this.video.load();
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = '';
    }
  }

  private readonly onUpdateEnd = () => {
    this.followLiveEdge();
    this.pump();
  };

  // Appends (or removes) one thing at a time: a SourceBuffer refuses a second operation while
  // `updating`, and 'updateend' calls pump() again.
  private pump(): void {
    const sb = this.sourceBuffer;
    while (sb && !sb.updating && this.mediaSource?.readyState === 'open' && this.queue.length) {
      const op = this.queue.shift()!;
      try {
        if (op.kind === 'append') {
          sb.appendBuffer(op.data);
        } else if (op.kind === 'remove') {
          sb.remove(op.start, op.end);
        } else {
          sb.changeType(op.mime);
          continue; // synchronous: no 'updateend'
        }
      } catch (e) {
        if ((e as DOMException)?.name === 'QuotaExceededError' && op.kind === 'append') {
          // The buffer is full: drop everything behind the playhead, then retry this fragment.
          this.queue.unshift({ kind: 'remove', start: 0, end: Math.max(0, this.video.currentTime - 0.5) }, op);
          if (this.video.currentTime > 0.5) continue;
        }
        this.restart('The video could not be decoded.');
      }
      return;
    }
  }

  private followLiveEdge(): void {
    const sb = this.sourceBuffer;
    if (!sb || sb.buffered.length === 0) return;
    const ranges = sb.buffered;
    const start = ranges.start(ranges.length - 1);
    const end = ranges.end(ranges.length - 1);
    const v = this.video;
    const t = v.currentTime;
    if (!this.playing && end - start < kCushionS) return; // not autoplay: wait for the cushion
    // Stalled although the cushion is there: the stuck state described at kCushionS.
    const stuck = v.readyState < HTMLMediaElement.HAVE_FUTURE_DATA && !v.seeking && end - t >= kCushionS &&
      performance.now() - this.lastJumpMs > kStuckMs;
    if (!this.playing || stuck || t < start || end - t > kMaxLatencyS) {
      v.currentTime = Math.max(start, end - kCushionS);
      this.lastJumpMs = performance.now();
    }
    // Hold the cushion steady: the camera's clock and the browser's drift apart by a little.
    const ahead = end - v.currentTime;
    v.playbackRate = ahead < kCushionS * 0.6 ? 0.95 : ahead > kCushionS * 2 ? 1.05 : 1;
    if (v.paused) v.play().catch(() => {});
    if (!this.playing) {
      this.playing = true;
      this.attempt = 0;
      this.setStatus('playing', '');
    }
    const behind = this.video.currentTime - ranges.start(0);
    if (behind > kKeepBehindS + kTrimSlackS && !this.queue.some((op) => op.kind === 'remove')) {
      this.queue.unshift({ kind: 'remove', start: 0, end: this.video.currentTime - kKeepBehindS });
    }
  }

  private setStatus(state: LiveState, message: string): void {
    if (state === this.status.state && message === this.status.message) return;
    this.status = { state, message };
    this.onStatus(this.status);
  }
}
