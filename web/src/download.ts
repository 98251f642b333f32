// Saving files from the API: exports (large, may answer 409 with parts) and snapshots (small).

import { ApiError, send, type TimeRange } from './api';
import { fileStamp, formatBytes } from './format';

// An export is a POST (it has side effects, so a link on another site must not start one), so
// the browser's download manager cannot fetch it: the page gathers it and saves it as a Blob.
// Above this size that would take too much of the page's memory.
const kMaxInMemoryBytes = 1024 * 1024 * 1024;

function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export function exportFilename(camera: string, stream: string, range: TimeRange): string {
  return `${camera}-${stream}-${fileStamp(range.start_us)}-${fileStamp(range.end_us)}.mp4`;
}

function filenameFrom(res: Response, fallback: string): string {
  const m = /filename="?([^";]+)"?/i.exec(res.headers.get('Content-Disposition') ?? '');
  return m ? m[1] : fallback;
}

function tooLarge(bytes: number): ApiError {
  return new ApiError(`This export is ${formatBytes(bytes)}, more than the browser can save at once ` +
    `(${formatBytes(kMaxInMemoryBytes)}). Choose a shorter range, or run sightline export on the server.`, 413);
}

export type ExportResult =
  | { kind: 'saved'; filename: string; bytes: number }
  | { kind: 'parts'; message: string; parts: TimeRange[] };

// Downloads `range` of a stream as MP4 (POST /api/cameras/{camera}/export). `progress` gets
// bytes received and the expected total (0 if unknown). Rejects with an ApiError (429 while
// another export of this user runs) or an AbortError when `signal` fires.
export async function exportRange(camera: string, stream: string, range: TimeRange, signal: AbortSignal,
  progress: (bytes: number, total: number) => void): Promise<ExportResult> {
  const fallbackName = exportFilename(camera, stream, range);
  let res: Response;
  try {
    res = await send('POST', `/api/cameras/${encodeURIComponent(camera)}/export`,
      { body: { stream, start_us: range.start_us, end_us: range.end_us }, signal });
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && Array.isArray(e.body?.parts)) {
      return { kind: 'parts', message: e.message, parts: e.body.parts as TimeRange[] };
    }
    throw e;
  }
  const filename = filenameFrom(res, fallbackName);
  const total = Number(res.headers.get('Content-Length')) || 0;
  if (total > kMaxInMemoryBytes || !res.body) {
    void res.body?.cancel();
    throw tooLarge(total);
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e;
      throw new ApiError(`The export was cut off after ${formatBytes(bytes)}; try again.`, 0);
    }
    const { done, value } = chunk;
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    progress(bytes, total);
    if (bytes > kMaxInMemoryBytes) {
      void reader.cancel();
      throw tooLarge(bytes);
    }
  }
  if (total && bytes !== total) {
    throw new ApiError(`The export was cut off after ${formatBytes(bytes)} of ${formatBytes(total)}; try again.`, 0);
  }
  saveBlob(new Blob(chunks as BlobPart[], { type: 'video/mp4' }), filename);
  return { kind: 'saved', filename, bytes };
}

// Fetches a small file (a snapshot) and saves it; rejects with an ApiError.
export async function downloadSmall(href: string, filename: string): Promise<void> {
  const res = await send('GET', href);
  saveBlob(await res.blob(), filename);
}
