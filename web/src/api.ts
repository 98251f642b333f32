// The HTTP API of docs/ref/api.md (authoritative): types, URL builders and a fetch wrapper that
// turns every failure into an ApiError whose message a person understands.
//
// Session handling: the browser keeps the HttpOnly cookie; this module only reports a 401 (so the
// app returns to the login page) and connection trouble (so the app shows a retrying message).

export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  name: string;
  role: Role;
  cameras: string[];
  disabled: boolean;
}

// An API token of a user (docs/ref/api.md "API tokens"); times 0: never.
export interface ApiToken {
  name: string;
  created_us: number;
  last_used_us: number;
  expires_us: number;
}

export interface StreamInfo {
  name: string;
  roles: string[];
  recorded: boolean;
  online: boolean;
  state: string;
  codec: string;
  width: number;
  height: number;
  fps: number;
  bitrate_bps: number;
  last_frame_us: number;
  reconnects: number;
  frames_dropped: number;
  gops_dropped: number;
  recorded_bytes: number;
  oldest_us: number;
}

// What an onvif: camera's device says (GET /api/cameras).
export interface OnvifInfo {
  resolved: boolean;
  clock_offset_ms: number | null; // camera − ours
  events: 'off' | 'subscribed' | 'failing';
  problem: string;
}

export interface Camera {
  name: string;
  live_stream: string;
  streams: StreamInfo[];
  onvif?: OnvifInfo;
}

export interface TimeRange {
  start_us: number;
  end_us: number;
}

export interface Span extends TimeRange {
  codec: string;
  width: number;
  height: number;
}

export interface Recordings {
  stream: string;
  start_us: number;
  end_us: number;
  spans: Span[];
  gaps: TimeRange[];
  events: Array<TimeRange & { id: number }>;
}

export interface MotionEvent {
  id: number;
  camera: string;
  stream: string;
  start_us: number;
  end_us: number; // 0 while the event is still open
  zones: string[];
  peak_fraction: number;
  peak_us: number;
  thumbnail?: boolean;
  // '' for Sightline's motion analysis; 'onvif:motion', 'onvif:tamper', 'onvif:input:TOKEN'
  // for what the camera reported itself.
  source?: string;
}

export interface AuditRecord {
  id: number;
  time_us: number;
  user: string;
  action: string;
  camera: string;
  start_us: number;
  end_us: number;
  remote: string;
  detail: string;
  ok: boolean;
}

export interface SystemStatus {
  version: string;
  started_us: number;
  // Sizes are missing, and `error` says why, when a disk cannot be read.
  disks: Array<{ path: string; total_bytes?: number; free_bytes?: number; min_free_bytes: number; error?: string }>;
  // `retention` is missing for a stream the index knows but the recorder does not record (an
  // analysed substream's motion grids, a camera no longer in the config).
  streams: Array<{ camera: string; stream: string; recorded_bytes: number; oldest_us: number;
    retention?: { max_age_s: number; max_bytes: number; continuous_days: number; motion_days: number } }>;
  index: { commits: number; commit_errors: number; segments_deleted: number };
  events: Array<{ time_us: number; kind: string; camera: string; stream: string; message: string }>;
}

// GET /api/cameras/{camera}/ptz. Positions in ONVIF's generic spaces: pan and tilt -1..1,
// zoom 0..1; null when the camera did not say.
export interface PtzPreset {
  token: string;
  name: string;
}
export interface PtzInfo {
  supported: boolean;
  reason?: string; // when not supported
  position?: { pan: number | null; tilt: number | null; zoom: number | null };
  move_status?: string; // "idle", "moving", "unknown"
  presets?: PtzPreset[];
  max_presets?: number;
  home_supported?: boolean;
}
export interface PtzMove {
  pan: number;
  tilt: number;
  zoom: number;
  timeout_ms: number; // at most 10000: the camera stops by itself if the stop is lost
}

export const kNetworkErrorMessage = 'The server cannot be reached. Retrying…';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number, // 0: no answer (network down, server stopped)
    readonly body: any = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiListener {
  unauthorized(): void; // 401: the session ended
  reachable(ok: boolean): void; // false on a network failure, true on any answer
}

let listener: ApiListener = { unauthorized() {}, reachable() {} };

export function setApiListener(l: ApiListener): void {
  listener = l;
}

// For requests this module does not send itself (hls.js, WebSockets) that found the session gone.
export function sessionEnded(): void {
  listener.unauthorized();
}

type Query = Record<string, string | number | undefined | null>;

export function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    // Times are integers on the wire; the UI computes them from pixels and seconds.
    params.set(k, typeof v === 'number' && k.endsWith('_us') ? String(Math.round(v)) : String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const enc = encodeURIComponent;

// Words for statuses whose answer carries no `error` field (e.g. a proxy's HTML page).
function fallbackMessage(status: number): string {
  switch (status) {
    case 401: return 'Please log in.';
    case 403: return 'You are not allowed to do this.';
    case 404: return 'Not found.';
    case 413: case 431: return 'The request is too large.';
    case 429: return 'Too many attempts. Please wait a moment and try again.';
    case 502: case 504: return kNetworkErrorMessage;
    case 503: return 'Sightline is not ready yet.';
    default: return `The server answered with an error (HTTP ${status}).`;
  }
}

// Reads the error body of a failed response and builds the ApiError for it.
async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: any = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  let message = typeof body?.error === 'string' && body.error ? body.error : fallbackMessage(res.status);
  const retry = res.headers.get('Retry-After');
  if (res.status === 429 && retry && /^\d+$/.test(retry)) {
    message += ` Try again in ${retry} s.`;
  }
  return new ApiError(message, res.status, body);
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  // Login answers 401 for a wrong password: that must not be taken as "session ended".
  expectUnauthorized?: boolean;
}

// Sends a request; resolves with the response (status 2xx) or rejects with an ApiError.
export async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const init: RequestInit = { method, credentials: 'same-origin', signal: opts.signal, headers: {} };
  if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), init);
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    listener.reachable(false);
    throw new ApiError(kNetworkErrorMessage, 0);
  }
  listener.reachable(res.status !== 502 && res.status !== 504);
  if (res.ok) return res;
  const error = await errorFromResponse(res);
  if (res.status === 401 && !opts.expectUnauthorized) listener.unauthorized();
  throw error;
}

async function json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts);
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError('The server sent an answer the page cannot read.', res.status);
  }
}

export function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

// Routes, in the order of docs/ref/api.md.

export const api = {
  health: () => json<{ ok: boolean; users: boolean }>('GET', '/api/health'),
  login: (username: string, password: string) =>
    json<{ user: User }>('POST', '/api/login', { body: { username, password }, expectUnauthorized: true }),
  logout: () => json<void>('POST', '/api/logout'),
  me: () => json<User>('GET', '/api/me'),

  cameras: (signal?: AbortSignal) => json<{ cameras: Camera[] }>('GET', '/api/cameras', { signal }),
  camera: (camera: string, signal?: AbortSignal) =>
    json<Camera>('GET', `/api/cameras/${enc(camera)}`, { signal }),

  ptz: (camera: string, signal?: AbortSignal) => json<PtzInfo>('GET', `/api/cameras/${enc(camera)}/ptz`, { signal }),
  ptzMove: (camera: string, move: PtzMove) => json<void>('POST', `/api/cameras/${enc(camera)}/ptz/move`, { body: move }),
  ptzStop: (camera: string) => json<void>('POST', `/api/cameras/${enc(camera)}/ptz/stop`),
  ptzGoto: (camera: string, token: string) =>
    json<void>('POST', `/api/cameras/${enc(camera)}/ptz/presets/${enc(token)}/goto`),
  ptzSetPreset: (camera: string, name: string) =>
    json<PtzPreset>('POST', `/api/cameras/${enc(camera)}/ptz/presets`, { body: { name } }),
  ptzRemovePreset: (camera: string, token: string) =>
    json<void>('DELETE', `/api/cameras/${enc(camera)}/ptz/presets/${enc(token)}`),

  recordings: (camera: string, range: TimeRange, stream?: string, signal?: AbortSignal) =>
    json<Recordings>('GET', `/api/cameras/${enc(camera)}/recordings`,
      { query: { stream, start_us: range.start_us, end_us: range.end_us }, signal }),
  protect: (camera: string, range: TimeRange, protect: boolean, stream?: string) =>
    json<{ segments: number }>('POST', `/api/cameras/${enc(camera)}/protect`,
      { body: { ...(stream ? { stream } : {}), start_us: range.start_us, end_us: range.end_us, protect } }),

  events: (q: { camera?: string; start_us?: number; end_us?: number; limit?: number }, signal?: AbortSignal) =>
    json<{ events: MotionEvent[] }>('GET', '/api/events', { query: q, signal }),
  motion: (camera: string, range: TimeRange, rect: { x: number; y: number; w: number; h: number },
    signal?: AbortSignal) =>
    json<{ ranges: TimeRange[] }>('GET', `/api/cameras/${enc(camera)}/motion`, {
      query: { start_us: range.start_us, end_us: range.end_us, x: rect.x.toFixed(4), y: rect.y.toFixed(4),
        w: rect.w.toFixed(4), h: rect.h.toFixed(4) },
      signal,
    }),

  users: () => json<{ users: User[] }>('GET', '/api/users'),
  addUser: (u: { name: string; password: string; role: Role; cameras: string[] }) =>
    json<User>('POST', '/api/users', { body: u }),
  changeUser: (name: string, change: Partial<{ password: string; role: Role; disabled: boolean; cameras: string[] }>) =>
    json<User>('PATCH', `/api/users/${enc(name)}`, { body: change }),
  deleteUser: (name: string) => json<void>('DELETE', `/api/users/${enc(name)}`),
  tokens: (user: string) => json<{ tokens: ApiToken[] }>('GET', `/api/users/${enc(user)}/tokens`),
  // The answer's `token` is the secret, shown only this once.
  createToken: (user: string, name: string, expiresDays: number) =>
    json<ApiToken & { token: string }>('POST', `/api/users/${enc(user)}/tokens`,
      { body: { name, expires_days: expiresDays } }),
  revokeToken: (user: string, name: string) =>
    json<void>('DELETE', `/api/users/${enc(user)}/tokens/${enc(name)}`),

  audit: (q: { user?: string; action?: string; camera?: string; since_us?: number; until_us?: number;
    limit?: number; before_id?: number }) => json<{ records: AuditRecord[] }>('GET', '/api/audit', { query: q }),
  // The actions the server writes (the audit page's filter): one list, kept by the server.
  auditActions: () => json<{ actions: string[] }>('GET', '/api/audit/actions'),
  system: () => json<SystemStatus>('GET', '/api/system'),
};

// URLs the browser loads itself (media elements, WebSockets, downloads, images).

export function liveUrl(camera: string, stream?: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${url(`/api/cameras/${enc(camera)}/live`, { stream })}`;
}

export function playlistUrl(camera: string, stream: string, range: TimeRange): string {
  return url(`/api/cameras/${enc(camera)}/streams/${enc(stream)}/playlist.m3u8`,
    { start_us: range.start_us, end_us: range.end_us });
}

export function snapshotUrl(camera: string, stream?: string, timeUs?: number): string {
  return url(`/api/cameras/${enc(camera)}/snapshot.jpg`, { stream, time_us: timeUs });
}

export function thumbnailUrl(eventId: number): string {
  return `/api/events/${enc(String(eventId))}/thumbnail.jpg`;
}

// The stream the timeline and playback use by default: the first recorded one.
export function recordedStreams(camera: Camera): StreamInfo[] {
  return camera.streams.filter((s) => s.recorded);
}

export function liveStreamOf(camera: Camera): StreamInfo | undefined {
  return camera.streams.find((s) => s.name === camera.live_stream) ?? camera.streams[0];
}
