import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { WebSocketTransport } from '../../core/websocket-transport.js';
import type { RtcCamera } from '../rtc-camera/rtc-camera.js';
import type { RtcStats } from '../rtc-stats/rtc-stats.js';
import { nextEvent, parseBitrate, signalingUrl, statSum, uniqueRoom, until } from '../../test-support/call-helpers.js';

interface Side {
  call: RtcCall;
  camera: RtcCamera;
  stats: RtcStats;
}

async function twoCalls(room = uniqueRoom()): Promise<[Side, Side]> {
  const url = await signalingUrl();
  const root = await fixture(html`<div>
    <rtc-call id="a" signaling=${url} room=${room} name="Ada">
      <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera><rtc-stats></rtc-stats>
    </rtc-call>
    <rtc-call id="b" signaling=${url} room=${room} name="Bob">
      <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera><rtc-stats></rtc-stats>
    </rtc-call>
  </div>`);
  const side = (id: string): Side => {
    const call = root.querySelector<RtcCall>(`#${id}`)!;
    return { call, camera: call.querySelector('rtc-camera')!, stats: call.querySelector('rtc-stats')! };
  };
  return [side('a'), side('b')];
}

const remoteVideo = (call: RtcCall) => call.shadowRoot!.querySelector<HTMLVideoElement>('[part~="video"]');
const onlyPc = (call: RtcCall) => [...call.session.peerConnections().values()][0];
const shown = (stats: RtcStats, part: string) =>
  stats.shadowRoot!.querySelector(`[part~="${part}"]`)!.textContent!.trim();

describe('<rtc-call> end to end through the real signaling server', () => {
  let sides: Side[] = [];
  afterEach(() => sides.forEach((s) => s.call.leave()));

  it('shows each side the other one\'s video and audio, and live bitrates that match getStats', async () => {
    sides = await twoCalls();
    for (const [me, other] of [sides, [...sides].reverse()]) {
      const video = await until(() => {
        const v = remoteVideo(me.call);
        return v && v.videoWidth > 0 ? v : null;
      }, 'remote video plays');
      expect(video!.videoWidth).to.equal(320);
      const name = me.call.shadowRoot!.querySelector('[part~="name"]')!.textContent;
      expect(name).to.equal(other.call.name);
      const pc = onlyPc(me.call);
      await until(async () => (await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video')).value > 0, 'frames decoded');
      const a1 = await statSum(pc, 'inbound-rtp', 'totalSamplesReceived', 'audio');
      await new Promise((r) => setTimeout(r, 400));
      const a2 = await statSum(pc, 'inbound-rtp', 'totalSamplesReceived', 'audio');
      expect(a2.value, 'audio samples keep arriving').to.be.greaterThan(a1.value);
    }

    // Let bandwidth estimation settle, then compare what <rtc-stats> shows over four samples
    // with the byte counters of getStats over the same span.
    await new Promise((r) => setTimeout(r, 2000));
    for (const me of sides) {
      const pc = onlyPc(me.call);
      const sampler = me.call.session.stats;
      const shownSend: number[] = [];
      const shownRecv: number[] = [];
      type Snap = { value: number; timestamp: number };
      let first: Snap[] = [];
      let last: Snap[] = [];
      for (let i = 0; i < 5; i++) {
        await oneEvent(sampler, 'sample');
        await me.stats.updateComplete;
        const snap = [await statSum(pc, 'outbound-rtp', 'bytesSent'), await statSum(pc, 'inbound-rtp', 'bytesReceived')] as const;
        if (i === 0) first = [...snap];
        else {
          shownSend.push(parseBitrate(shown(me.stats, 'send-bitrate')));
          shownRecv.push(parseBitrate(shown(me.stats, 'receive-bitrate')));
          last = [...snap];
        }
      }
      const seconds = (last[0].timestamp - first[0].timestamp) / 1000;
      const measuredSend = ((last[0].value - first[0].value) * 8) / seconds;
      const measuredRecv = ((last[1].value - first[1].value) * 8) / seconds;
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(measuredSend).to.be.greaterThan(50_000);
      expect(measuredRecv).to.be.greaterThan(50_000);
      expect(mean(shownSend) / measuredSend).to.be.within(0.8, 1.2);
      expect(mean(shownRecv) / measuredRecv).to.be.within(0.8, 1.2);
    }
  });

  it('Leave stops every local track and closes the peer connection', async () => {
    sides = await twoCalls();
    const [a, b] = sides;
    await until(() => (remoteVideo(a.call)?.videoWidth ?? 0) > 0, 'a sees b');
    const tracks = a.camera.stream!.getTracks();
    const pc = onlyPc(a.call);
    expect(tracks.length).to.equal(2);
    const left = nextEvent(a.call, 'rtc-left');
    a.call.shadowRoot!.querySelector<HTMLButtonElement>('[part~="leave"]')!.click();
    await left;
    expect(tracks.map((t) => t.readyState)).to.deep.equal(['ended', 'ended']);
    expect(pc.connectionState).to.equal('closed');
    expect(a.call.session.peerConnections().size).to.equal(0);
    expect(a.call.shadowRoot!.querySelector('[part~="status"]')!.textContent).to.contain('left');
    // The other side sees the tile go.
    await until(() => b.call.session.state.participants.length === 0, 'b drops a');
    await b.call.updateComplete;
    expect(b.call.shadowRoot!.querySelectorAll('[part~="tile"]').length).to.equal(0);
    // Join again: the camera comes back and the call reconnects.
    a.call.shadowRoot!.querySelector<HTMLButtonElement>('[part~="join"]')!.click();
    await until(() => (remoteVideo(b.call)?.videoWidth ?? 0) > 0, 'b sees a again');
  });
});

describe('<rtc-call> lifecycle', () => {
  it('does not join with no-auto-join until join() is called, and is accessible', async () => {
    const url = await signalingUrl();
    const call = await fixture<RtcCall>(html`<rtc-call no-auto-join signaling=${url} room=${uniqueRoom()}></rtc-call>`);
    await new Promise((r) => setTimeout(r, 300));
    expect(call.session.state.status).to.equal('idle');
    await expect(call).to.be.accessible();
    const joined = nextEvent(call, 'rtc-joined');
    await call.join();
    expect((await joined).participantId).to.be.a('string');
    await expect(call).to.be.accessible();
    call.leave();
  });

  it('leaves and joins again when the room changes', async () => {
    const url = await signalingUrl();
    const call = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${uniqueRoom()}></rtc-call>`);
    await until(() => call.session.state.status === 'joined', 'joined');
    const firstId = call.session.state.localId;
    const room2 = uniqueRoom();
    call.room = room2;
    const second = await nextEvent(call, 'rtc-joined');
    expect(second.room).to.equal(room2);
    expect(second.participantId).not.to.equal(firstId);
    call.leave();
  });

  it('leaves when removed from the document, but not when moved', async () => {
    const url = await signalingUrl();
    const root = await fixture(html`<div><rtc-call signaling=${url} room=${uniqueRoom()}></rtc-call><section></section></div>`);
    const call = root.querySelector('rtc-call')!;
    await until(() => call.session.state.status === 'joined', 'joined');
    root.querySelector('section')!.append(call); // a move: out and in within one task
    await new Promise((r) => setTimeout(r, 50));
    expect(call.session.state.status).to.equal('joined');
    call.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(call.session.state.status).to.equal('left');
  });

  it('reports an unreachable signaling server as an error the user can read', async () => {
    const call = await fixture<RtcCall>(html`<rtc-call no-auto-join signaling="ws://127.0.0.1:9/signal" room="x"></rtc-call>`);
    const error = nextEvent(call, 'rtc-error');
    void call.join();
    expect((await error).code).to.equal('signaling-unreachable');
    await call.updateComplete;
    expect(call.shadowRoot!.querySelector('[part~="status"]')!.textContent).to.contain('could not reach');
    await expect(call).to.be.accessible();
  });

  it('reads ice-servers from JSON and reports invalid JSON without breaking', async () => {
    const call = await fixture<RtcCall>(
      html`<rtc-call no-auto-join ice-servers='[{"urls":"stun:127.0.0.1:3478"}]'></rtc-call>`,
    );
    expect(call.iceServers).to.deep.equal([{ urls: 'stun:127.0.0.1:3478' }]);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      call.setAttribute('ice-servers', '{oops');
    } finally {
      console.error = original;
    }
    expect(call.iceServers).to.deep.equal([]);
    expect(errors.length).to.equal(1);
  });
});

describe('<rtc-call> resuming after someone joined meanwhile', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('answers the newcomer’s offer instead of crossing it with its own: one audio and one video section', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('resume');
    // Ada's sockets, so the test can drop one as a network would (4000: the server keeps her slot),
    // and a switch that keeps her away for a moment.
    const sockets: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(u: string | URL, protocols?: string | string[]) {
        super(u, protocols);
        sockets.push(this);
      }
    }
    let away = false;
    const adaTransport = () => {
      if (away) throw new Error('offline for a moment');
      return new WebSocketTransport(url, { WebSocket: Recorded });
    };
    const root = await fixture(html`<div>
      <rtc-call id="ada" room=${room} name="Ada" .signalingTransport=${adaTransport}>
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
      <rtc-call id="bob" signaling=${url} room=${room} name="Bob">
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
    </div>`);
    const ada = root.querySelector<RtcCall>('#ada')!;
    const bob = root.querySelector<RtcCall>('#bob')!;
    calls = [ada, bob];
    await until(() => ada.session.state.participants.length === 1 && onlyPc(ada)?.connectionState === 'connected', 'Ada and Bob connected');
    const adaId = ada.session.state.localId;

    away = true;
    sockets.at(-1)!.close(4000, 'dropped by the test');
    await until(() => ada.session.state.reconnecting, 'Ada reconnecting');
    // Cy joins while Ada is away: her slot is held, so Cy's welcome lists her and Cy offers to her.
    const cy = document.createElement('rtc-call') as RtcCall;
    cy.setAttribute('signaling', url);
    cy.setAttribute('room', room);
    cy.setAttribute('name', 'Cy');
    cy.innerHTML = '<rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>';
    root.append(cy);
    calls.push(cy);
    await until(() => cy.session.state.status === 'joined', 'Cy joined');
    away = false;

    await until(() => !ada.session.state.reconnecting && ada.session.state.signalingConnected, 'Ada back', 20_000);
    expect(ada.session.state.localId).to.equal(adaId, 'resumed as herself');
    const cyId = cy.session.state.localId!;
    const pc = (await until(() => ada.session.peerConnections().get(cyId), 'a link to Cy'))!;
    await until(async () => (await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video')).value > 5, 'Ada decodes Cy');
    expect(pc.getTransceivers().map((t) => t.receiver.track.kind)).to.deep.equal(['audio', 'video'], 'one section each, no crossed offers');
  });
});
