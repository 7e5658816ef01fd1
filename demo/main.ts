// The demo: joins the room named by ?room= at once, or asks for one.
import '../src/index.js';

const params = new URLSearchParams(location.search);
const room = params.get('room');
const signaling = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;

if (!room) {
  const form = document.querySelector<HTMLFormElement>('#join')!;
  form.hidden = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams({ room: String(data.get('room')) });
    const name = String(data.get('name') ?? '').trim();
    if (name) next.set('name', name);
    location.search = `?${next}`;
  });
} else {
  const call = document.createElement('rtc-call');
  call.signaling = signaling;
  call.room = room;
  call.name = params.get('name') ?? '';
  // e.g. ?max-bitrate=300k caps what this tab sends (applied live, see <rtc-stats> below).
  for (const cap of ['max-bitrate', 'max-video-bitrate', 'max-audio-bitrate']) {
    const value = params.get(cap);
    if (value) call.setAttribute(cap, value);
  }
  const local = document.createElement('div');
  local.className = 'local';
  const camera = document.createElement('rtc-camera');
  camera.width = 640;
  camera.height = 480;
  camera.showSettings = true; // with its Mute / Camera / Share screen buttons and the device picker
  // The detailed panel: one section per remote participant, with path, loss, delay and quality.
  const stats = document.createElement('rtc-stats');
  stats.variant = 'detailed';
  // Text chat with everyone in the room, over the call's data channel.
  const chat = document.createElement('rtc-chat');
  local.append(camera, stats, chat);
  call.append(local);
  document.querySelector('#call')!.append(call);
  document.title = `${room} · rtc-elements`;
}
