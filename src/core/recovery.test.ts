import { expect, fixture, html } from '@open-wc/testing';
import '../index.js';
import type { RtcCall } from '../elements/rtc-call/rtc-call.js';
import { InMemorySignalingHub } from './in-memory-signaling.js';
import type { RecoveryOptions } from './ice-recovery.js';
import type { SignalingTransport } from './signaling-transport.js';
import { statSum, until } from '../test-support/call-helpers.js';
import { videos } from '../test-support/room.js';

/** Ada and Bob in `room` through `transport`, cameras on, with quick recovery timings. */
async function adaAndBob(room: string, transport: () => SignalingTransport, recovery: Partial<RecoveryOptions>): Promise<RtcCall[]> {
  const root = await fixture(html`<div>
    ${['Ada', 'Bob'].map(
      (name) => html`<rtc-call room=${room} name=${name} .signalingTransport=${transport}>
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>`,
    )}
  </div>`);
  const calls = [...root.querySelectorAll('rtc-call')];
  for (const c of calls) c.session.config.recovery = recovery;
  return calls;
}

describe('ICE recovery when the other side\'s connection dies', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('shows reconnecting, builds a new connection that the other side follows, and video returns', async function () {
    this.timeout(45000);
    const hub = new InMemorySignalingHub();
    const t = () => hub.transport();
    calls = await adaAndBob('cut', t, { disconnectedMs: 1000, restartTimeoutMs: 2000, maxRestarts: 1 });
    const [ada, bob] = calls;
    await until(
      () => calls.every((c) => videos(c)[0]?.videoWidth === 320),
      () =>
        `both see each other; ${calls
          .map((c) => {
            const pc = [...c.session.peerConnections().values()][0];
            const v = videos(c)[0];
            return `${c.name}: ${c.session.state.status}, pc ${pc?.connectionState}/${pc?.signalingState}, video ${v ? `${v.videoWidth}×${v.videoHeight} ready ${v.readyState}` : 'none'}`;
          })
          .join('; ')}`,
      // NOTE: generous: two Firefox windows decoding while npm test runs Chromium beside them
      // once took over 15 s to show the first frames.
      25000,
    );
    const adaPc = [...ada.session.peerConnections().values()][0];
    // Bob's connection dies (as if his network vanished): Ada must notice and recover.
    for (const pc of bob.session.peerConnections().values()) pc.close();
    const tile = () => ada.shadowRoot!.querySelector('[part~="tile"]')!;
    await until(() => tile().getAttribute('data-state') === 'reconnecting', 'ada shows reconnecting');
    await until(() => tile().getAttribute('data-state') === 'connected', 'ada recovers', 30000);
    // The data channels died with Bob's connection, so Ada builds a new one too.
    const pc = [...ada.session.peerConnections().values()][0];
    const bobPc = [...bob.session.peerConnections().values()][0];
    await until(() => bobPc.connectionState === 'connected', 'bob connected again');
    expect(pc).not.to.equal(adaPc);
    expect(adaPc.connectionState).to.equal('closed');
    for (const p of [pc, bobPc]) {
      const before = (await statSum(p, 'inbound-rtp', 'framesDecoded', 'video')).value;
      await until(async () => (await statSum(p, 'inbound-rtp', 'framesDecoded', 'video')).value > before + 10, 'frames rise again');
    }
  });

  it('does not restart or rebuild while signaling is down, and is back soon after signaling is', async function () {
    this.timeout(60000);
    const hub = new InMemorySignalingHub();
    let down = false;
    const t = () => {
      if (down) throw new Error('signaling down');
      return hub.transport();
    };
    calls = await adaAndBob('cut-off', t, { disconnectedMs: 1000, restartTimeoutMs: 1000, maxRestarts: 1 });
    const [ada, bob] = calls;
    await until(() => calls.every((c) => videos(c)[0]?.videoWidth === 320), 'both see each other', 25000);
    const seen = new Set<RTCPeerConnection>();
    const watch = setInterval(() => calls.forEach((c) => c.session.peerConnections().forEach((pc) => seen.add(pc))), 50);
    try {
      // Signaling goes down, then Bob's connection dies: nothing can be negotiated until it is back.
      down = true;
      hub.disconnectAll();
      await until(() => calls.every((c) => c.session.state.reconnecting), 'both reconnecting to signaling');
      for (const pc of bob.session.peerConnections().values()) pc.close();
      await until(() => ada.shadowRoot!.querySelector('[part~="tile"]')?.getAttribute('data-state') === 'reconnecting', 'Ada sees the path break');
      await new Promise((r) => setTimeout(r, 8000));
      // The two connections of the call, and none built meanwhile: each new one would only have
      // queued an offer (with a restart every second and one attempt each, 8 s made 8 or more).
      expect(seen.size, `${seen.size} peer connections`).to.equal(2);
      down = false;
      await until(() => calls.every((c) => c.session.state.signalingConnected), 'signaling back', 20000);
      const pcs = () => calls.map((c) => [...c.session.peerConnections().values()][0]);
      await until(() => pcs().every((p) => p?.connectionState === 'connected'), 'connected again', 20000);
      for (const p of pcs()) {
        const before = (await statSum(p, 'inbound-rtp', 'framesDecoded', 'video')).value;
        await until(async () => (await statSum(p, 'inbound-rtp', 'framesDecoded', 'video')).value > before + 10, 'frames rise again');
      }
    } finally {
      clearInterval(watch);
    }
  });
});
