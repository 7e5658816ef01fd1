import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';
import { ResourceCounter, type Counts } from '../../test-support/resource-counter.js';

const CYCLES = 8;

describe('<rtc-call> hang-up releases everything', () => {
  let counter: ResourceCounter;
  beforeEach(() => (counter = new ResourceCounter().install()));
  afterEach(() => counter.uninstall());

  it(`joins and leaves ${CYCLES} times: no live tracks, peer connections, sockets, timers or listeners left behind`, async function () {
    this.timeout(90000);
    const url = await signalingUrl();
    const room = uniqueRoom('hangup');
    // Bob stays in the room the whole time; Ada comes and goes.
    const root = await fixture(html`<div>
      <rtc-call id="bob" signaling=${url} room=${room} name="Bob">
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
      <rtc-call id="ada" no-auto-join signaling=${url} room=${room} name="Ada">
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera><rtc-stats></rtc-stats>
      </rtc-call>
    </div>`);
    const bob = root.querySelector<RtcCall>('#bob')!;
    const ada = root.querySelector<RtcCall>('#ada')!;
    try {
      await until(() => bob.session.state.status === 'joined' && bob.session.media.state.status === 'live', 'bob in');
      // Ada's <rtc-camera> previews before she joins; Leave stops it, so afterwards only Bob's
      // two tracks stay live.
      await until(() => ada.session.media.state.status === 'live', 'ada preview');
      const baseline: Counts = { ...counter.counts(), liveTracks: 2 }; // Bob alone: his camera, socket, timers
      expect(counter.counts().liveTracks).to.equal(4);
      expect(baseline.sockets).to.equal(1);
      expect(baseline.timers, "bob's own timers are seen").to.be.greaterThan(0);
      expect(baseline.listeners, "bob's pagehide listener is seen").to.be.greaterThan(0);
      const adaVideo = () => ada.shadowRoot!.querySelector<HTMLVideoElement>('video[part~="video"]');
      for (let i = 0; i < CYCLES; i++) {
        ada.shadowRoot!.querySelector<HTMLButtonElement>('[part~="join"]')!.click();
        await until(() => (adaVideo()?.videoWidth ?? 0) > 0, `cycle ${i + 1}: ada sees bob`);
        await until(() => bob.session.state.participants[0]?.stream?.getVideoTracks().length, `cycle ${i + 1}: bob gets ada`);
        const during = counter.counts();
        expect(during.peerConnections).to.equal(2);
        expect(during.liveTracks, 'both cameras and the remote tracks').to.be.greaterThan(baseline.liveTracks);
        expect(during.sockets).to.equal(2);
        expect(during.timers, "ada's timers are seen").to.be.greaterThan(baseline.timers);
        expect(during.listeners, "ada's listeners are seen").to.be.greaterThan(baseline.listeners);
        ada.shadowRoot!.querySelector<HTMLButtonElement>('[part~="leave"]')!.click();
        await until(() => bob.session.state.participants.length === 0, `cycle ${i + 1}: bob drops ada`);
        // The peer's goodbye and our own sockets close asynchronously; everything else is synchronous.
        await until(() => counter.counts().sockets === baseline.sockets, `cycle ${i + 1}: socket closed`);
        // Bob may still owe the server an acknowledgement (a one-shot timer under 1.5 s); what
        // leaks never goes back to the baseline.
        const same = () => JSON.stringify(counter.counts()) === JSON.stringify(baseline);
        await until(same, `cycle ${i + 1}: back to the baseline`, 3000).catch(() => {});
        expect(counter.counts(), `after cycle ${i + 1}`).to.deep.equal(baseline);
      }
    } finally {
      ada.leave();
      bob.leave();
    }
    expect(counter.counts().liveTracks).to.equal(0);
    expect(counter.counts().peerConnections).to.equal(0);
  });
});
