// Formatting of times, sizes and rates for people. Times in the API are Unix microseconds (UTC);
// they are shown in the browser's local time zone.

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

// The value format of <input type="datetime-local" step="1">: "2026-11-01T14:03:27", local time.
export function toLocalInputValue(timeUs: number): string {
  return formatDateTime(timeUs).replace(' ', 'T');
}

// Parses a datetime-local value (seconds optional) as local time; null when empty or invalid.
export function fromLocalInputValue(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, hh, mm, ss, ms] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm), Number(ss ?? 0),
    Number((ms ?? '0').padEnd(3, '0')));
  const t = date.getTime();
  return Number.isNaN(t) ? null : t * 1000;
}
