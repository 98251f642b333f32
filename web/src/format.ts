// Formatting of times, sizes and rates for people. Times in the API are Unix microseconds (UTC);
// they are shown in the browser's local time zone, always as "2026-11-01 14:03:27" (ISO order,
// 24-hour clock), in text and in the inputs alike: the browser's own date-time inputs follow
// its locale (12-hour with AM/PM in en-US), which mixed two formats on one page. The zone is
// shown in the top bar (timeZoneLabel).

export const kUsPerSecond = 1_000_000;
export const kUsPerMinute = 60 * kUsPerSecond;
export const kUsPerHour = 60 * kUsPerMinute;
export const kUsPerDay = 24 * kUsPerHour;

export function nowUs(): number {
  return Date.now() * 1000;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

// "2026-11-01 14:03:27" in local time.
export function formatDateTime(timeUs: number): string {
  const d = new Date(timeUs / 1000);
  return `${formatDate(timeUs)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDate(timeUs: number): string {
  const d = new Date(timeUs / 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// "20261101-140327": local time for file names.
export function fileStamp(timeUs: number): string {
  return formatDateTime(timeUs).replace(/[-:]/g, '').replace(' ', '-');
}

// "14:03:27", or "14:03" when `seconds` is false.
export function formatTime(timeUs: number, seconds = true): string {
  const d = new Date(timeUs / 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

// "1 h 5 min", "3 min 20 s", "12 s".
export function formatDuration(durationUs: number): string {
  const s = Math.max(0, Math.round(durationUs / kUsPerSecond));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const hours = Math.floor(m / 60);
  return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function formatBitrate(bitsPerSecond: number): string {
  if (bitsPerSecond >= 1e6) return `${(bitsPerSecond / 1e6).toFixed(1)} Mbit/s`;
  return `${Math.round(bitsPerSecond / 1e3)} kbit/s`;
}

// "Europe/Berlin, UTC+01:00": the zone times are shown in, with its offset now.
export function timeZoneLabel(atUs = nowUs()): string {
  const minutes = -new Date(atUs / 1000).getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const offset = `UTC${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return name && name !== 'UTC' ? `${name}, ${offset}` : offset;
}

// The value of a time input (time_input.ts): "2026-11-01 14:03:27", local time.
export function toLocalInputValue(timeUs: number): string {
  return formatDateTime(timeUs);
}

// Parses a typed local time, "2026-11-01 14:03:27" (seconds and fractions optional; a "T"
// instead of the space, as in ISO 8601, is accepted too); null when empty or invalid,
// including dates that do not exist (2026-02-30).
export function fromLocalInputValue(value: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, hh, mm, ss] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  if (hh > 23 || mm > 59 || ss > 59) return null;
  const date = new Date(y, mo - 1, d, hh, mm, ss, ms);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  const t = date.getTime();
  return Number.isNaN(t) ? null : t * 1000;
}
