/**
 * A stand-in for `navigator.mediaDevices` for stories that show states a browser will not produce
 * on demand (a busy camera, a denied prompt, a shared screen without a click): a canvas "camera",
 * an oscillator "microphone", a canvas "screen", and failures by DOMException name. The element
 * and its LocalMedia run unchanged on top of it, so each story looks exactly like the real state.
 */

export interface FakeOptions {
  /** Make getUserMedia fail for these kinds with this DOMException name (e.g. `NotReadableError`). */
  fail?: { name: string; message?: string; kinds?: ('audio' | 'video')[]; constraint?: string };
  /** Labels of the fake cameras (default one). */
  cameras?: string[];
}

const W = 640;
const H = 480;

function canvasTrack(draw: (ctx: CanvasRenderingContext2D, t: number) => void, label: string): MediaStreamTrack {
  const canvas = Object.assign(document.createElement('canvas'), { width: W, height: H });
  const ctx = canvas.getContext('2d')!;
  let frame = 0;
  const paint = () => {
    draw(ctx, frame++);
    if (track.readyState === 'live') requestAnimationFrame(paint);
  };
  const track = canvas.captureStream(30).getVideoTracks()[0];
  Object.defineProperty(track, 'label', { value: label });
  paint();
  return track;
}

function cameraTrack(label: string, hue: number): MediaStreamTrack {
  return canvasTrack((ctx, t) => {
    const g = ctx.createLinearGradient(0, 0, W, H);
    g.addColorStop(0, `hsl(${(hue + t / 3) % 360} 60% 45%)`);
    g.addColorStop(1, `hsl(${(hue + 60 + t / 3) % 360} 60% 25%)`);
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, W, H);
    // A head-and-shoulders silhouette, gently moving, so the preview reads as a camera.
    const x = W / 2 + Math.sin(t / 40) * 20;
    ctx.fillStyle = 'rgb(255 255 255 / 0.85)';
    ctx.beginPath();
    ctx.arc(x, H * 0.42, 70, 0, Math.PI * 2);
    ctx.fill();
    ctx.beginPath();
    ctx.ellipse(x, H * 0.95, 170, 140, 0, Math.PI, 0);
    ctx.fill();
  }, label);
}

function screenTrack(): MediaStreamTrack {
  return canvasTrack((ctx, t) => {
    ctx.fillStyle = '#e8eaef';
    ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = '#2563eb';
    ctx.fillRect(0, 0, W, 36);
    ctx.fillStyle = '#fff';
    ctx.font = '18px system-ui, sans-serif';
    ctx.fillText('Quarterly plan — Slides', 16, 24);
    ctx.fillStyle = '#1b1d22';
    ctx.font = 'bold 32px system-ui, sans-serif';
    ctx.fillText('Roadmap', 48, 110);
    ctx.font = '22px system-ui, sans-serif';
    ['Ship rtc-camera', 'Device picker', 'Screen share'].forEach((line, i) => ctx.fillText(`• ${line}`, 64, 170 + i * 44));
    ctx.fillStyle = '#2563eb';
    ctx.fillRect(64, 330, ((t * 2) % 480) + 20, 18);
  }, 'Screen 1');
}

function microphoneTrack(): MediaStreamTrack {
  const audio = new AudioContext();
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  gain.gain.value = 0.0001;
  const out = audio.createMediaStreamDestination();
  osc.connect(gain).connect(out);
  osc.start();
  const track = out.stream.getAudioTracks()[0];
  Object.defineProperty(track, 'label', { value: 'Fake microphone' });
  const settings = track.getSettings.bind(track);
  track.getSettings = () => ({ ...settings(), deviceId: 'mic-0' });
  return track;
}

/** A `MediaDevices` whose sources are drawn in the page. */
export function fakeMediaDevices(options: FakeOptions = {}): MediaDevices {
  const target = new EventTarget();
  const cameras = options.cameras ?? ['Front camera'];
  const devices = [
    ...cameras.map((label, i) => ({ kind: 'videoinput', deviceId: `cam-${i}`, groupId: `g${i}`, label })),
    { kind: 'audioinput', deviceId: 'mic-0', groupId: 'g0', label: 'Fake microphone' },
  ] as MediaDeviceInfo[];
  const fake = {
    async getUserMedia(c: MediaStreamConstraints = {}) {
      const kinds = (['audio', 'video'] as const).filter((k) => c[k]);
      const fail = options.fail;
      if (fail && kinds.some((k) => !fail.kinds || fail.kinds.includes(k))) {
        const err = new DOMException(fail.message ?? fail.name, fail.name);
        if (fail.constraint) Object.defineProperty(err, 'constraint', { value: fail.constraint });
        throw err;
      }
      const tracks: MediaStreamTrack[] = [];
      if (c.audio) tracks.push(microphoneTrack());
      if (c.video) {
        const v = c.video === true ? {} : c.video;
        const id = typeof v.deviceId === 'object' && !Array.isArray(v.deviceId) ? v.deviceId.exact : v.deviceId;
        const index = Math.max(0, devices.findIndex((d) => d.deviceId === id));
        const track = cameraTrack(cameras[index] ?? cameras[0], 200 + index * 70);
        // Report the device like a real camera does, so the picker shows which one is in use.
        const settings = track.getSettings.bind(track);
        track.getSettings = () => ({ ...settings(), deviceId: devices[index].deviceId });
        tracks.push(track);
      }
      return new MediaStream(tracks);
    },
    async getDisplayMedia() {
      return new MediaStream([screenTrack()]);
    },
    async enumerateDevices() {
      // Before (or without) permission, browsers hide ids and labels.
      if (options.fail?.name === 'NotAllowedError') return devices.map((d) => ({ ...d, deviceId: '', label: '' }));
      if (options.fail?.name === 'NotFoundError') return [];
      return devices;
    },
    getSupportedConstraints: () => navigator.mediaDevices?.getSupportedConstraints() ?? {},
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
    dispatchEvent: target.dispatchEvent.bind(target),
    ondevicechange: null,
  };
  return fake as unknown as MediaDevices;
}
