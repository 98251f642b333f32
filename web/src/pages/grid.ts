// The live grid: every camera the user may view, each tile playing its `live_stream` over the live
// WebSocket, with status badges refreshed from GET /api/cameras every 5 s.

import { api, liveStreamOf, liveUrl, recordedStreams, type Camera } from '../api';
import { h, replace } from '../dom';
import { formatBitrate } from '../format';
import { LivePlayer } from '../live/live_player';
import { poll, reportError, type Page, type PageContext } from '../page';

const kPollMs = 5000;

class Tile {
  readonly el: HTMLElement;
  private readonly video: HTMLVideoElement;
  private readonly overlay: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly player: LivePlayer;

  constructor(private camera: Camera, navigate: (path: string) => void) {
    const href = `/camera/${encodeURIComponent(camera.name)}`;
    this.video = h('video', { muted: true, playsinline: true, 'aria-label': `Live view of ${camera.name}` });
    this.overlay = h('div', { class: 'tile-overlay' }, 'Connecting…');
    this.badges = h('span', { class: 'badges' });
    this.el = h('article', { class: 'tile', dataset: { camera: camera.name, state: 'connecting' } },
      h('div', { class: 'tile-video', on: { click: () => navigate(href) } }, this.video, this.overlay),
      h('div', { class: 'tile-info' }, h('a', { class: 'tile-name', href }, camera.name), this.badges));
    this.player = new LivePlayer(this.video, () => liveUrl(this.camera.name, this.camera.live_stream), (status) => {
      this.el.dataset.state = status.state;
      this.overlay.textContent = status.message;
      this.overlay.hidden = status.message === '';
    });
    this.update(camera);
    this.player.start();
  }

  update(camera: Camera): void {
    this.camera = camera;
    const live = liveStreamOf(camera);
    const recording = recordedStreams(camera).some((s) => s.online);
    const badge = (text: string, kind: string, title: string) =>
      h('span', { class: `badge badge-${kind}`, title }, text);
    replace(this.badges,
      live?.online ? badge('online', 'ok', 'The camera is sending video') : badge('offline', 'bad', 'No video from the camera'),
      live?.online ? badge(`${live.fps.toFixed(live.fps < 10 ? 1 : 0)} fps`, 'plain', 'Frames per second, last 5 s') : null,
      live?.online ? badge(formatBitrate(live.bitrate_bps), 'plain', 'Bit rate of the live stream, last 5 s') : null,
      recording ? badge('REC', 'rec', 'Recording') : badge('not recording', 'muted', 'Nothing is being recorded'));
    this.el.dataset.online = String(Boolean(live?.online));
  }

  dispose(): void {
    this.player.stop();
  }
}

export function gridPage(ctx: PageContext): Page {
  const grid = h('div', { class: 'grid' });
  const empty = h('p', { class: 'empty', hidden: true },
    'There are no cameras to show: none is configured, or your account may not view any.');
  const el = h('section', { class: 'page page-grid', 'aria-label': 'Live cameras' }, empty, grid);
  const tiles = new Map<string, Tile>();

  const stop = poll(async (signal) => {
    try {
      const { cameras } = await api.cameras(signal);
      ctx.messages.clear('grid');
      const names = new Set(cameras.map((c) => c.name));
      for (const [name, tile] of tiles) {
        if (!names.has(name)) {
          tile.dispose();
          tile.el.remove();
          tiles.delete(name);
        }
      }
      cameras.forEach((camera, i) => {
        let tile = tiles.get(camera.name);
        if (tile) {
          tile.update(camera);
        } else {
          tile = new Tile(camera, (path) => ctx.navigate(path));
          tiles.set(camera.name, tile);
        }
        if (grid.children[i] !== tile.el) grid.insertBefore(tile.el, grid.children[i] ?? null);
      });
      empty.hidden = cameras.length > 0;
    } catch (e) {
      reportError(ctx.messages, 'grid', e);
      throw e;
    }
  }, kPollMs);

  return {
    el,
    title: 'Live',
    dispose() {
      stop();
      for (const tile of tiles.values()) tile.dispose();
    },
  };
}
