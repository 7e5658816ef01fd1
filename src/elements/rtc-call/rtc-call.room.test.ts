import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { PROTOCOL_VERSION } from '../../protocol/messages.js';
import { nextEvent, signalingUrl, statSum, uniqueRoom, until } from '../../test-support/call-helpers.js';
import { callRoom, tileOf, tiles, videos } from '../../test-support/room.js';

const pcTo = (call: RtcCall, id: string) => call.session.peerConnections().get(id)!;
const idOf = (call: RtcCall) => call.session.state.localId!;
const videoSender = (pc: RTCPeerConnection) => pc.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender as RTCRtpSender;

describe('<rtc-call> rooms of several people (real server, real peer connections)', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('shows a tile per participant with their name as text, fires join/leave events, and drops the tile of who leaves', async () => {
    calls = await callRoom(['Ada', 'Bob', '<b>Eve</b>']);
    const [ada, bob, eve] = calls;
    for (const call of calls) {
      const names = tiles(call).map((t) => t.querySelector('[part~="name"]')!.textContent!.replace('(speaking)', '').trim());
      expect(names.sort()).to.deep.equal(['<b>Eve</b>', 'Ada', 'Bob'].filter((n) => n !== call.name).sort());
      expect(call.shadowRoot!.querySelector('b'), 'names are text, never markup').to.equal(null);
      expect(call.shadowRoot!.querySelector('[part~="status"]')!.textContent).to.contain('with 2 others');
    }
    // Layout: a call under 480px wide stacks its tiles; a wide one puts two side by side, and three in 2×2.
    const box = (t: HTMLElement) => t.getBoundingClientRect();
    expect(new Set(tiles(ada).map((t) => Math.round(box(t).left))).size, 'one column when narrow').to.equal(1);
    ada.style.width = '720px';
    await until(() => {
      const [a, b] = tiles(ada).map(box);
      return Math.round(a.top) === Math.round(b.top) && a.right <= b.left;
    }, 'two tiles side by side in a wide call');
    // A fourth person comes and goes: everyone gets typed events and the tile follows.
    const joined = nextEvent(ada, 'rtc-participant-joined');
    const url = await signalingUrl();
    const dan = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${ada.room} name="Dan">
      <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
    </rtc-call>`);
    calls.push(dan);
    const j = await joined;
    expect(j.name).to.equal('Dan');
    expect(j.participantId).to.equal(await until(() => idOf(dan), 'dan has an id'));
    await until(() => tiles(ada).length === 3 && tileOf(ada, j.participantId), 'dan tile appears');
    await until(() => {
      const [a, b, c] = tiles(ada).map(box);
      return Math.round(a.top) === Math.round(b.top) && c.top >= a.bottom && Math.round(c.left) === Math.round(a.left);
    }, 'three tiles in 2×2');
    const left = nextEvent(bob, 'rtc-participant-left');
    // Whom Bob's call stops watching for visibility (the video of a tile that went).
    const unobserved: Element[] = [];
    const unobserve = IntersectionObserver.prototype.unobserve;
    IntersectionObserver.prototype.unobserve = function (this: IntersectionObserver, target: Element) {
      unobserved.push(target);
      return unobserve.call(this, target);
    };
    const danTile = await until(() => tileOf(bob, j.participantId), 'Bob shows Dan');
    const danVideo = danTile!.querySelector('video')!;
    try {
      dan.leave();
      expect((await left).participantId).to.equal(j.participantId);
      await bob.updateComplete;
    } finally {
      IntersectionObserver.prototype.unobserve = unobserve;
    }
    expect(tileOf(bob, j.participantId)).to.equal(null);
    expect(unobserved.includes(danVideo), 'the gone tile’s video is let go by the visibility observer').to.equal(true);
    expect(tiles(bob).length).to.equal(2);
    await expect(eve).to.be.accessible();
  });

  it('scales every video sender down as the room grows and back up as it shrinks (no renegotiation)', async () => {
    calls = await callRoom(['Ada', 'Bob']);
    const [ada, bob] = calls;
    const toBob = pcTo(ada, idOf(bob));
    const two = videoSender(toBob).getParameters().encodings[0];
    expect(two.scaleResolutionDownBy ?? 1).to.equal(1);
    expect(two.maxBitrate).to.equal(1_500_000);
    await until(async () => (await statSum(toBob, 'outbound-rtp', 'frameWidth', 'video')).value === 320, 'full width with two');
    const offers = toBob.localDescription!.sdp;

    const url = await signalingUrl();
    const cy = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${ada.room} name="Cy">
      <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
    </rtc-call>`);
    calls.push(cy);
    await until(() => ada.session.state.participants.length === 2, 'cy joins');
    const toCy = await until(() => pcTo(ada, idOf(cy)), 'link to cy');
    for (const pc of [toBob, toCy]) {
      await until(() => videoSender(pc)?.getParameters().encodings[0]?.scaleResolutionDownBy === 1.5, 'scaled for three');
      expect(videoSender(pc).getParameters().encodings[0].maxBitrate).to.equal(1_200_000);
    }
    // What is measured on the wire: the encoder now sends 320/1.5 ≈ 213 pixels wide.
    await until(async () => (await statSum(toBob, 'outbound-rtp', 'frameWidth', 'video')).value < 320, 'smaller frames on the wire');
    expect(toBob.localDescription!.sdp, 'no renegotiation with bob').to.equal(offers);
    cy.leave();
    await until(() => videoSender(toBob).getParameters().encodings[0]?.scaleResolutionDownBy === 1, 'back to full size');
    expect(videoSender(toBob).getParameters().encodings[0].maxBitrate).to.equal(1_500_000);
    await until(async () => (await statSum(toBob, 'outbound-rtp', 'frameWidth', 'video')).value === 320, 'full width again');
  });

  it('pauses the video of a hidden tile at the sender (bytes stop) and resumes it when shown', async () => {
    calls = await callRoom(['Ada', 'Bob']);
    const [ada, bob] = calls;
    const pc = pcTo(ada, idOf(bob));
    const rate = async () => {
      const a = await statSum(pc, 'inbound-rtp', 'bytesReceived', 'video');
      await new Promise((r) => setTimeout(r, 1000));
      const b = await statSum(pc, 'inbound-rtp', 'bytesReceived', 'video');
      return ((b.value - a.value) * 8) / ((b.timestamp - a.timestamp) / 1000);
    };
    const shown = await rate();
    expect(shown, 'video flows while the tile shows').to.be.greaterThan(20_000);
    tileOf(ada, idOf(bob))!.style.display = 'none';
    const hidden = await until(async () => {
      const r = await rate();
      return r < 5_000 ? { r } : null;
    }, 'video bytes stop for the hidden tile');
    // Audio keeps flowing: hiding a tile does not mute its sound.
    const audio = await statSum(pc, 'inbound-rtp', 'bytesReceived', 'audio');
    await until(async () => (await statSum(pc, 'inbound-rtp', 'bytesReceived', 'audio')).value > audio.value, 'audio flows');
    tileOf(ada, idOf(bob))!.style.display = '';
    const frames = await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video');
    await until(async () => (await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video')).value > frames.value + 5, 'frames again');
    const back = await rate();
    console.log(`video kbps shown ${Math.round(shown / 1000)}, hidden ${Math.round(hidden!.r / 1000)}, shown again ${Math.round(back / 1000)}`);
    expect(back).to.be.greaterThan(20_000);
  });

  it('marks whoever is speaking from their audio level, and not once their microphone is silent', async () => {
    calls = await callRoom(['Ada', 'Bob']);
    const [ada, bob] = calls;
    const tile = () => tileOf(ada, idOf(bob))!;
    // Bob talks: a steady tone. Chromium's fake microphone only clicks (~50 ms every 500 ms), which a
    // speaking indicator rightly may miss: sampled every 200 ms, in step with the clicks, it can miss
    // them all. Firefox's fake microphone is a steady tone already (and Web Audio cannot start there
    // without an audio output device, which these machines lack).
    const audio = new AudioContext();
    const running = await Promise.race([audio.resume().then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
    const out = audio.createMediaStreamDestination();
    const tone = audio.createOscillator();
    tone.connect(out);
    tone.start();
    const voice = running ? out.stream.getAudioTracks()[0] : bob.session.media.state.stream!.getAudioTracks()[0];
    try {
      if (running) await pcTo(bob, idOf(ada)).getSenders().find((s) => s.track?.kind === 'audio')!.replaceTrack(voice);
      await until(() => tile().hasAttribute('data-speaking'), 'bob is speaking', 20000);
      voice.enabled = false; // a disabled track sends silence
      await until(async () => {
        await new Promise((r) => setTimeout(r, 1500));
        return !tile().hasAttribute('data-speaking') && ada.session.state.participants[0].speaking === false;
      }, 'silence is not speaking');
    } finally {
      out.stream.getTracks().forEach((t) => t.stop());
      void audio.close();
    }
  });

  it('says clearly that a room is full when the server refuses the seventh participant', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('full');
    // Six participants at the protocol level (the server's default cap), then a seventh <rtc-call>.
    const sockets = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.onopen = () => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'join', room }));
          ws.onmessage = (e) => (JSON.parse(e.data).type === 'welcome' ? resolve(ws) : undefined);
          ws.onerror = () => reject(new Error('socket failed'));
        }),
      ),
    );
    try {
      const call = await fixture<RtcCall>(html`<rtc-call no-auto-join signaling=${url} room=${room}></rtc-call>`);
      const error = nextEvent(call, 'rtc-error');
      void call.join();
      expect((await error).code).to.equal('room-full');
      await call.updateComplete;
      expect(call.shadowRoot!.querySelector('[part~="status"]')!.textContent).to.contain('is full');
      expect(call.session.peerConnections().size).to.equal(0);
      await expect(call).to.be.accessible();
    } finally {
      sockets.forEach((ws) => ws.close());
    }
  });
  it('does not reload a playing video when the call or camera renders again', async function () {
    this.timeout(40000);
    calls = await callRoom(['Ada', 'Bob']);
    const [ada] = calls;
    const camera = ada.querySelector('rtc-camera')!;
    const remote = videos(ada)[0];
    const preview = camera.shadowRoot!.querySelector('video')!;
    await until(() => remote.currentTime > 0 && preview.currentTime > 0, 'both videos play');
    // Setting srcObject, even to the stream already there, runs the media element load
    // algorithm: the picture restarts (a black frame, `emptied` and `loadstart` again).
    let reloads = 0;
    for (const v of [remote, preview]) v.addEventListener('loadstart', () => reloads++);
    for (let i = 0; i < 5; i++) {
      ada.requestUpdate();
      camera.requestUpdate();
      await Promise.all([ada.updateComplete, camera.updateComplete]);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(videos(ada)[0] === remote && camera.shadowRoot!.querySelector('video') === preview, 'same video elements').to.equal(true);
    expect(reloads, 'videos reloaded by 10 renders').to.equal(0);
    expect(remote.paused || preview.paused, 'a video paused').to.equal(false);
  });
  it('renames in place: the others see the new name on the same connection, and nobody leaves or joins', async function () {
    this.timeout(40000);
    calls = await callRoom(['Ada', 'Bob']);
    const [ada, bob] = calls;
    const adaId = idOf(ada);
    const before = pcTo(bob, adaId);
    const events: string[] = [];
    for (const c of calls) {
      for (const type of ['rtc-left', 'rtc-joined', 'rtc-participant-left', 'rtc-participant-joined']) c.addEventListener(type, () => events.push(type));
    }
    ada.name = 'Ada Lovelace';
    await until(() => tileOf(bob, adaId)?.querySelector('[part~="name"]')?.textContent?.includes('Ada Lovelace'), 'Bob’s tile shows the new name');
    expect(idOf(ada) === adaId && pcTo(bob, adaId) === before, 'the same participant on the same connection').to.equal(true);
    expect(before.connectionState).to.equal('connected');
    expect(events.join(), 'nobody left or joined').to.equal('');
  });
  it('a shared screen keeps its resolution in a room of three (the camera is scaled down), and frame rate gives way instead', async function () {
    this.timeout(40000);
    calls = await callRoom(['Ada', 'Bob', 'Cy']);
    const [ada, bob] = calls;
    const toBob = pcTo(ada, idOf(bob));
    const scale = () => videoSender(toBob).getParameters().encodings[0]?.scaleResolutionDownBy;
    await until(() => scale() === 1.5, 'the camera goes at two thirds in a room of three');
    // STUB: a screen from a canvas; headless browsers share a screen only with a trusted click,
    // and only Chromium. What is tested is what the call does with the screen's track.
    const md = navigator.mediaDevices;
    const real = md.getDisplayMedia;
    const canvas = Object.assign(document.createElement('canvas'), { width: 1280, height: 720 });
    const draw = setInterval(() => canvas.getContext('2d')!.fillRect(Math.random() * 1200, 0, 80, 80), 100);
    md.getDisplayMedia = async () => canvas.captureStream(5);
    try {
      const camera = ada.querySelector('rtc-camera')!;
      expect(await camera.media.startScreenShare()).to.equal(true);
      await until(() => videoSender(toBob).track?.contentHint === 'detail', 'the screen is sent, marked as detail');
      await until(() => scale() === 1, 'the screen goes at full resolution');
      await camera.media.stopScreenShare();
      await until(() => videoSender(toBob).track?.contentHint !== 'detail' && scale() === 1.5, 'the camera is back at two thirds');
    } finally {
      md.getDisplayMedia = real;
      clearInterval(draw);
    }
  });
});
