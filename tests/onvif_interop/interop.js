// Drives camsim's ONVIF services with npm's `onvif` client (an implementation nobody here
// wrote), for tests/camsim_onvif_interop_test.cc: connects (GetSystemDateAndTime, GetServices,
// Media2 GetProfiles, GetVideoSources), reads each profile's stream URI, moves the PTZ head
// continuously, stops it, stores a preset, moves away, goes back to the preset, and prints
// what it saw as one JSON object on stdout.
//   usage: node interop.js HOST PORT PATH USER PASSWORD
'use strict';
const { Cam } = require('onvif');

const [host, port, path, username, password] = process.argv.slice(2);
const timeoutMs = 10000;

function call(cam, method, ...args) {
  return new Promise((resolve, reject) => {
    cam[method](...args, (err, result) => (err ? reject(new Error(`${method}: ${err.message}`)) : resolve(result)));
  });
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const cam = await new Promise((resolve, reject) => {
    const c = new Cam({ hostname: host, port: Number(port), path, username, password, timeout: timeoutMs },
      (err) => (err ? reject(new Error(`connect: ${err.message}`)) : resolve(c)));
  });
  const out = { media2: cam.media2Support === true, profiles: [], uris: {} };
  for (const p of cam.profiles) {
    const enc = p.videoEncoderConfiguration || {};
    out.profiles.push({
      token: p.$.token,
      encoding: enc.encoding,
      width: enc.resolution ? enc.resolution.width : 0,
      height: enc.resolution ? enc.resolution.height : 0,
    });
    const uri = await call(cam, 'getStreamUri', { protocol: 'RTSP', profileToken: p.$.token });
    out.uris[p.$.token] = uri.uri;
  }
  const token = cam.activeSource.profileToken;
  out.start = (await call(cam, 'getStatus', { profileToken: token })).position;
  await call(cam, 'continuousMove', { profileToken: token, x: 0.5, y: -0.25, zoom: 0 });
  await sleep(600);
  out.moving = await call(cam, 'getStatus', { profileToken: token });
  await call(cam, 'stop', { profileToken: token, panTilt: true, zoom: true });
  out.stopped = (await call(cam, 'getStatus', { profileToken: token })).position;
  await sleep(300);
  out.stopped_later = (await call(cam, 'getStatus', { profileToken: token })).position;
  await call(cam, 'setPreset', { profileToken: token, presetName: 'door' });
  const presets = await call(cam, 'getPresets', { profileToken: token });
  out.preset_token = presets.door ? presets.door.$.token : null;
  await call(cam, 'absoluteMove', { profileToken: token, x: -0.75, y: 0.5, zoom: 0.25 });
  out.away = (await call(cam, 'getStatus', { profileToken: token })).position;
  await call(cam, 'gotoPreset', { profileToken: token, preset: out.preset_token });
  out.back = (await call(cam, 'getStatus', { profileToken: token })).position;
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(`interop.js: ${err.message}\n`);
  process.exit(1);
});
