// The peer of bench/onvif_events.py: npm's `onvif` client (tests/onvif_interop) subscribed to
// the events of N camsim cameras, the way its users do (`cam.on('event', ...)`: a pull point,
// PullMessages with a 1 min Timeout, Renew after each pull). Prints "subscribed N" once every
// camera is connected and listening, then "events K" every second.
//   usage: NODE_PATH=tests/onvif_interop/node_modules node bench/onvif_events_peer.js PORT N DIGITS USER PASSWORD
'use strict';
const { Cam } = require('onvif');

const [port, n, digits, username, password] = process.argv.slice(2);
let events = 0;
let connected = 0;
for (let i = 0; i < Number(n); i++) {
  const name = 'cam' + String(i).padStart(Number(digits), '0');
  const cam = new Cam({ hostname: '127.0.0.1', port: Number(port), path: `/onvif/${name}/device_service`,
    username, password, timeout: 20000, autoconnect: true }, (err) => {
    if (err) {
      console.error(`${name}: ${err.message}`);
      return;
    }
    cam.on('event', () => { events++; });
    cam.on('eventsError', () => {});
    if (++connected === Number(n)) console.log(`subscribed ${connected}`);
  });
}
setInterval(() => console.log(`events ${events}`), 1000);
