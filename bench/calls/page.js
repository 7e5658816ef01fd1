// In-page side of the stats-cost and mesh benchmarks.
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let calls = [];

/** Puts `n` calls with cameras in one room (each with an <rtc-stats> if `stats`), joined together. */
export async function startCalls({ url, room, n, stats = 0 }) {
  calls = [];
  for (let i = 0; i < n; i++) {
    const call = document.createElement('rtc-call');
    call.noAutoJoin = true;
    call.signaling = url;
    call.room = room;
    call.name = `P${i}`;
    const camera = document.createElement('rtc-camera');
    camera.width = 320;
    camera.height = 240;
    camera.frameRate = 15;
    call.append(camera);
    for (let s = 0; s < (i === 0 ? stats : 0); s++) call.append(document.createElement('rtc-stats'));
    document.body.append(call);
    calls.push(call);
  }
  const end = now() + 10000;
  while (!calls.every((c) => c.querySelector('rtc-camera').media.state.status === 'live')) {
    if (now() > end) throw new Error('cameras did not start');
    await sleep(5);
  }
  const start = now();
  await Promise.all(calls.map((c) => c.join()));
  // Every participant renders a frame from every other one.
  const frames = calls.flatMap((call) =>
    Array.from({ length: n - 1 }, (_, k) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no frame in 15 s')), 15000);
        const poll = () => {
          const video = call.shadowRoot.querySelectorAll('[part~="video"]')[k];
          if (video) video.requestVideoFrameCallback(() => (clearTimeout(t), resolve(now())));
          else setTimeout(poll, 2);
        };
        poll();
      }),
    ),
  );
  const last = Math.max(...(await Promise.all(frames)));
  return last - start;
}

/**
 * The floor for a mesh: `n` participants in this page as raw RTCPeerConnections, one per pair,
 * offer/answer and trickle ICE exchanged directly (no server), each sending its own 320×240
 * @ 15 camera to every other. Ms from the start until every participant renders every other one.
 */
export async function rawMesh({ n }) {
  const streams = [];
  for (let i = 0; i < n; i++) {
    streams.push(await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 15 } }));
  }
  const pcs = [];
  const frames = [];
  const start = now();
  const rendered = (pc) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no frame in 15 s')), 15000);
      pc.addEventListener('track', ({ track, streams: [remote] }) => {
        if (track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.width = 160;
        document.body.append(video);
        video.requestVideoFrameCallback(() => (clearTimeout(t), resolve(now())));
        video.srcObject = remote;
      });
    });
  const pairs = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = new RTCPeerConnection();
      const b = new RTCPeerConnection();
      pcs.push(a, b);
      streams[i].getTracks().forEach((t) => a.addTrack(t, streams[i]));
      streams[j].getTracks().forEach((t) => b.addTrack(t, streams[j]));
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      frames.push(rendered(a), rendered(b));
      pairs.push([a, b]);
    }
  }
  await Promise.all(
    pairs.map(async ([a, b]) => {
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription);
    }),
  );
  try {
    return Math.max(...(await Promise.all(frames))) - start;
  } finally {
    pcs.forEach((pc) => pc.close());
    streams.forEach((s) => s.getTracks().forEach((t) => t.stop()));
    document.body.replaceChildren();
  }
}

export function stopCalls() {
  calls.forEach((c) => c.leave());
  document.body.replaceChildren();
  calls = [];
}

const pcOf = (call) => [...call.session.peerConnections().values()][0];

/**
 * Ms of a getStats() on the first call's connection, `gap` ms apart (past Chromium's 50 ms
 * cache): bare, or with its report `read`, every entry once (what any consumer of the figures
 * must do: Chromium builds each entry's JS object when it is read).
 */
export async function getStatsCost({ iterations, gap, read = false }) {
  const pc = pcOf(calls[0]);
  const xs = [];
  let n = 0;
  for (let i = 0; i < iterations; i++) {
    await sleep(gap);
    const t = now();
    const report = await pc.getStats();
    if (read) report.forEach((s) => (n += s.timestamp > 0 ? 1 : 0));
    xs.push(now() - t);
  }
  return xs;
}

/** Median ms of one kit sampling interval: the sampler's getStats + rates + <rtc-stats> render. */
export async function kitInterval({ iterations, gap }) {
  const call = calls[0];
  const els = [...call.querySelectorAll('rtc-stats')];
  const xs = [];
  for (let i = 0; i < iterations; i++) {
    await sleep(gap);
    const t = now();
    await call.session.stats.sample();
    await Promise.all(els.map((el) => el.updateComplete));
    xs.push(now() - t);
  }
  return xs;
}

/** Adds `n` more <rtc-stats> to the first call. */
export async function addStats({ n }) {
  for (let i = 0; i < n; i++) calls[0].append(document.createElement('rtc-stats'));
  await sleep(100);
}

/** Counts getStats() calls on every connection of the first call over `ms`. */
export async function countGetStats({ ms }) {
  const call = calls[0];
  let count = 0;
  const restore = [];
  for (const pc of call.session.peerConnections().values()) {
    const orig = pc.getStats;
    pc.getStats = function (...a) {
      count++;
      return orig.apply(this, a);
    };
    restore.push(() => (pc.getStats = orig));
  }
  await sleep(ms);
  restore.forEach((r) => r());
  return { count, connections: call.session.peerConnections().size, intervalMs: call.session.stats.effectiveInterval };
}

/** Long tasks (> 50 ms) observed over `ms`. */
export async function longTasks({ ms }) {
  const seen = [];
  const obs = new PerformanceObserver((list) => seen.push(...list.getEntries().map((e) => e.duration)));
  obs.observe({ type: 'longtask', buffered: false });
  await sleep(ms);
  obs.disconnect();
  return seen;
}
