// The camera set-up routes of docs/ref/api.md ("Camera set-up"), for the Add cameras page: a
// search for ONVIF cameras, and new cameras written to sightline.yaml. Kept apart from api.ts
// because only that page uses them.

import { ApiError, send } from './api';

export interface DiscoveredStream {
  codec: string; // "H264", "H265"
  width: number;
  height: number;
  fps: number; // 0: not said
}

export interface DiscoveredCamera {
  address: string; // the device service URL ("" when the device could not be reached)
  endpoint: string;
  manufacturer: string;
  model: string;
  firmware: string;
  main: DiscoveredStream | null;
  sub: DiscoveredStream | null;
  clock_offset_ms: number | null; // camera − ours
  needs_credentials: boolean;
  error: string; // the device could not be asked at all
  problems: string[];
  configured: boolean;
  configured_as: string;
  suggested_name: string;
}

export interface DiscoverRequest {
  multicast: boolean;
  range?: string;
  hosts?: string[];
  user?: string;
  password?: string;
}

export interface NewCamera {
  name: string;
  host: string;
  user?: string;
  password?: string;
}

export interface CamerasAdded {
  config: string;
  backup: string;
  added: string[];
  restart_required: boolean;
  message: string;
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await send('POST', path, { body });
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError('The server sent an answer the page cannot read.', res.status);
  }
}

export const setupApi = {
  discover: (req: DiscoverRequest) => post<{ cameras: DiscoveredCamera[] }>('/api/onvif/discover', req),
  addCameras: (cameras: NewCamera[]) => post<CamerasAdded>('/api/config/cameras', { cameras }),
};

// The config's rule for camera names (docs/ref/config.md, "name").
export const kCameraNamePattern = /^[A-Za-z0-9_-]{1,64}$/;
