// Saving files from the API: exports (large, may answer 409 with parts) and snapshots (small).

import { ApiError, exportUrl, send, type TimeRange } from './api';
import { fileStamp } from './format';

// Above this size an export is not gathered in page memory: the browser's own download takes it
// (a second request for the same range, as the API has no way to ask "would this be a 409?").
const kMaxInMemoryBytes = 512 * 1024 * 1024;

// Hands `href` to the browser's download manager under `filename`.
function saveUrl(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  saveUrl(href, filename);
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export function exportFilename(camera: string, stream: string, range: TimeRange): string {
  return `${camera}-${stream}-${fileStamp(range.start_us)}-${fileStamp(range.end_us)}.mp4`;
}

function filenameFrom(res: Response, fallback: string): string {
  const m = /filename="?([^";]+)"?/i.exec(res.headers.get('Content-Disposition') ?? '');
  return m ? m[1] : fallback;
}

export type ExportResult =
  | { kind: 'saved'; filename: string; bytes: number }
  | { kind: 'browser'; filename: string } // handed to the browser's download manager
  | { kind: 'parts'; message: string; parts: TimeRange[] };

// Downloads `range` of a stream as MP4. `progress` gets bytes received and the expected total
// (0 if unknown). Rejects with an ApiError (or an AbortError when `signal` fires).
export async function exportRange(camera: string, stream: string, range: TimeRange, signal: AbortSignal,
  progress: (bytes: number, total: number) => void): Promise<ExportResult> {
  const href = exportUrl(camera, stream, range);
  const fallbackName = exportFilename(camera, stream, range);
  let res: Response;
  try {
    res = await send('GET', href, { signal });
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
    saveUrl(href, filename);
    return { kind: 'browser', filename };
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    progress(bytes, total);
    if (bytes > kMaxInMemoryBytes) {
      void reader.cancel();
      saveUrl(href, filename);
      return { kind: 'browser', filename };
    }
  }
  saveBlob(new Blob(chunks as BlobPart[], { type: 'video/mp4' }), filename);
  return { kind: 'saved', filename, bytes };
}

// Fetches a small file (a snapshot) and saves it; rejects with an ApiError.
export async function downloadSmall(href: string, filename: string): Promise<void> {
  const res = await send('GET', href);
  saveBlob(await res.blob(), filename);
}
