// In-page side of the call-setup benchmark: one function per scenario. Each resolves with
// epoch-millisecond times (performance.timeOrigin + now(), comparable across pages):
// { start, signaling?, connected, frame } measured on this page.
/* global SimplePeer, peerjs */

const now = () => performance.timeOrigin + performance.now();
const cleanups = [];
const track = (fn) => cleanups.push(fn);

/** Releases everything the last trial made. */
export async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch {
      /* already gone */
    }
  }
  document.body.replaceChildren();
}

/** Captures the fake camera and microphone (before the clock starts). */
export async function capture() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 320, height: 240 },
  });
  track(() => stream.getTracks().forEach((t) => t.stop()));
  return stream;
}

/** Resolves with the time of the first frame `stream` renders. */
function firstFrame(stream) {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.width = 160;
    document.body.append(video);
    video.requestVideoFrameCallback(() => resolve(now()));
    video.srcObject = stream;
  });
}

function connectedAt(pc) {
  return new Promise((resolve) => {
    const check = () => pc.connectionState === 'connected' && resolve(now());
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

const remoteStreamOf = (pc) =>
  new Promise((resolve) => {
    const stream = new MediaStream();
    pc.addEventListener('track', (e) => {
      stream.addTrack(e.track);
      if (e.track.kind === 'video') resolve(stream);
    });
  });

const iceDone = (pc) =>
  new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });

/** Scenarios 1 and 2: two raw peer connections in this page, with or without trickle ICE. */
export async function onePage({ trickle }) {
  const s1 = await capture();
  const s2 = await capture();
  const start = now();
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  track(() => a.close());
  track(() => b.close());
  s1.getTracks().forEach((t) => a.addTrack(t, s1));
  s2.getTracks().forEach((t) => b.addTrack(t, s2));
  if (trickle) {
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  }
  const framesA = remoteStreamOf(a).then(firstFrame);
  const framesB = remoteStreamOf(b).then(firstFrame);
  const connected = connectedAt(a);
  await a.setLocalDescription();
  if (!trickle) await iceDone(a);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  if (!trickle) await iceDone(b);
  await a.setRemoteDescription(b.localDescription);
  const [fa, fb] = await Promise.all([framesA, framesB]);
  return { start, connected: await connected, frame: Math.max(fa, fb) };
}

/** Scenario 4: simple-peer, trickle on, two instances in this page. */
export async function simplePeer() {
  const s1 = await capture();
  const s2 = await capture();
  const start = now();
  const a = new SimplePeer({ initiator: true, trickle: true, stream: s1 });
  const b = new SimplePeer({ trickle: true, stream: s2 });
  track(() => a.destroy());
  track(() => b.destroy());
  a.on('signal', (d) => b.signal(d));
  b.on('signal', (d) => a.signal(d));
  const connected = new Promise((r) => a.on('connect', () => r(now())));
  const fa = new Promise((r) => a.on('stream', (s) => r(firstFrame(s))));
  const fb = new Promise((r) => b.on('stream', (s) => r(firstFrame(s))));
  const [x, y] = await Promise.all([fa, fb]);
  return { start, connected: await connected, frame: Math.max(x, y) };
}

/**
 * Scenario 3: raw peer connections in two pages through a bare WebSocket relay (the floor for
 * any signaling server). `role: 'wait'` joins and answers; `role: 'call'` starts the clock,
 * joins and offers.
 */
export async function relay({ url, role }) {
  const stream = await capture();
  const start = now();
  const ws = new WebSocket(url);
  track(() => ws.close());
  await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
  const signaling = now();
  const pc = new RTCPeerConnection();
  track(() => pc.close());
  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  pc.onicecandidate = (e) => e.candidate && ws.send(JSON.stringify({ candidate: e.candidate }));
  ws.onmessage = async ({ data }) => {
    const m = JSON.parse(data);
    if (m.description) {
      await pc.setRemoteDescription(m.description);
      if (m.description.type === 'offer') {
        await pc.setLocalDescription();
        ws.send(JSON.stringify({ description: pc.localDescription }));
      }
    } else if (m.candidate) {
      await pc.addIceCandidate(m.candidate).catch(() => {});
    }
  };
  const frame = remoteStreamOf(pc).then(firstFrame);
  const connected = connectedAt(pc);
  if (role === 'wait') {
    window.__ready = true;
  } else {
    await pc.setLocalDescription();
    ws.send(JSON.stringify({ description: pc.localDescription }));
  }
  return { start, signaling, connected: await connected, frame: await frame };
}

/** Scenario 5: PeerJS with its own server; 'wait' opens a peer with a known id, 'call' calls it. */
export async function peerJs({ host, port, id, role }) {
  const stream = await capture();
  const start = now();
  const peer = new peerjs.Peer(role === 'wait' ? id : undefined, { host, port, path: '/peerjs', debug: 0 });
  track(() => peer.destroy());
  await new Promise((r, j) => (peer.on('open', r), peer.on('error', j)));
  const signaling = now();
  const call = await new Promise((resolve) => {
    if (role === 'wait') {
      peer.on('call', (c) => {
        c.answer(stream);
        resolve(c);
      });
      window.__ready = true;
    } else {
      resolve(peer.call(id, stream));
    }
  });
  const connected = new Promise((r) => {
    const poll = () => (call.peerConnection ? r(connectedAt(call.peerConnection)) : setTimeout(poll, 1));
    poll();
  });
  const frame = new Promise((r) => call.on('stream', (s) => r(firstFrame(s))));
  return { start, signaling, connected: await connected, frame: await frame };
}

/** Scenario 6: two <rtc-call>s in two pages through the kit's server. */
export async function kit({ url, room, role }) {
  const call = document.createElement('rtc-call');
  call.noAutoJoin = true;
  call.signaling = url;
  call.room = room;
  const camera = document.createElement('rtc-camera');
  camera.width = 320;
  camera.height = 240;
  call.append(camera);
  document.body.append(call);
  track(() => call.leave());
  // The camera starts capturing after its first render: wait until it is live.
  const ready = now() + 10000;
  while (camera.media.state.status !== 'live') {
    if (now() > ready) throw new Error(`camera not live after 10 s: ${camera.media.state.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const start = now();
  let signaling;
  call.addEventListener('rtc-joined', () => (signaling = now()), { once: true });
  const frame = new Promise((resolve) => {
    const poll = () => {
      const video = call.shadowRoot.querySelector('[part~="video"]');
      if (video) video.requestVideoFrameCallback(() => resolve(now()));
      else setTimeout(poll, 1);
    };
    poll();
  });
  const connected = new Promise((resolve) => {
    const poll = () => {
      const pc = [...call.session.peerConnections().values()][0];
      if (pc) resolve(connectedAt(pc));
      else setTimeout(poll, 1);
    };
    poll();
  });
  await call.join();
  if (role === 'wait') window.__ready = true;
  // Bounded: a trial that does not finish says where it stopped instead of hanging the run.
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no call in 15 s (${role}): ${describe(call)}`)), 15000);
  });
  try {
    return { start, signaling, connected: await Promise.race([connected, timeout]), frame: await Promise.race([frame, timeout]) };
  } finally {
    clearTimeout(timer);
  }
}

/** Where a kit call stands: session, connection and video states, for a failed trial's message. */
function describe(call) {
  const pc = [...call.session.peerConnections().values()][0];
  const video = call.shadowRoot.querySelector('[part~="video"]');
  const st = call.session.state;
  return JSON.stringify({
    status: st.status,
    participants: st.participants?.length,
    pc: pc && { connection: pc.connectionState, ice: pc.iceConnectionState, signaling: pc.signalingState, receivers: pc.getReceivers().map((r) => `${r.track.kind}:${r.track.readyState}:${r.track.muted ? 'muted' : 'unmuted'}`) },
    video: video && { readyState: video.readyState, paused: video.paused, width: video.videoWidth, tracks: video.srcObject?.getTracks().length },
  });
}
