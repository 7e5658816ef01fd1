// Two calls, two rooms, one page: proof that sessions are independent.
import '../src/index.js';

const signaling = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
const suffix = new URLSearchParams(location.search).get('room') ?? 'demo';
for (const side of ['left', 'right']) {
  const call = document.createElement('rtc-call');
  call.signaling = signaling;
  call.room = `${suffix}-${side}`;
  call.name = side === 'left' ? 'Left call' : 'Right call';
  const camera = document.createElement('rtc-camera');
  camera.width = 320;
  camera.height = 240;
  call.append(camera, document.createElement('rtc-stats'));
  document.getElementById(side)!.append(call);
}
