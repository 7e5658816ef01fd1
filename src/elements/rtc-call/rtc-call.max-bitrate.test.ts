// max-bitrate on <rtc-call>: a live cap through RTCRtpSender.setParameters, proven on the
// outbound video bitrate of a real call. Chromium's fake 640×480 camera sends ~420–480 kbps
// uncapped; Firefox's simpler fake video sends only 200–320 kbps at 640×480, so Firefox captures
// 1280×720 (~450 kbps) to start above twice the 200 kbps cap too.
import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { parseBitrate, signalingUrl, statSum, uniqueRoom, until } from '../../test-support/call-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Outbound video payload bitrate over the next `ms`, bits/s, from the report timestamps. */
async function videoSendRate(pc: RTCPeerConnection, ms = 1000): Promise<number> {
  const a = await statSum(pc, 'outbound-rtp', 'bytesSent', 'video');
  await sleep(ms);
  const b = await statSum(pc, 'outbound-rtp', 'bytesSent', 'video');
  return ((b.value - a.value) * 8 * 1000) / (b.timestamp - a.timestamp);
}

describe('<rtc-call max-bitrate>', () => {
  const calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('caps outgoing video live (200 kbps) without renegotiating, and lifting it lets video rise again', async function () {
    this.timeout(90000);
    const firefox = navigator.userAgent.includes('Firefox/');
    const cap = 200_000;
    // Chromium holds 200 kbps within 10 % in every second. Firefox's encoder runs a few % over the
    // cap on average (seen: 196–220 kbps over 5 s) and overshoots single seconds more (seen: 236).
    const limit = cap * (firefox ? 1.15 : 1.1);
    const secondLimit = cap * (firefox ? 1.3 : 1.1);
    const url = await signalingUrl();
    const room = uniqueRoom('cap');
    const root = await fixture(html`<div lang="en">
      <rtc-call signaling=${url} room=${room} name="Ada">
        <rtc-camera width=${firefox ? 1280 : 640} height=${firefox ? 720 : 480} frame-rate="30"></rtc-camera>
        <rtc-stats></rtc-stats>
      </rtc-call>
      <rtc-call signaling=${url} room=${room} name="Bob">
        <rtc-camera width="320" height="240" frame-rate="15" no-audio></rtc-camera>
      </rtc-call>
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    const [ada, bob] = calls;
    const pc = await until(() => [...ada.session.peerConnections().values()][0], 'Ada’s peer connection');
    const bobPc = await until(() => [...bob.session.peerConnections().values()][0], 'Bob’s peer connection');
    await until(() => pc.connectionState === 'connected', 'connected');

    // 1. Uncapped, the 640×480 camera sends more than twice the cap.
    let uncapped = 0;
    await until(async () => (uncapped = await videoSendRate(pc)) > 2 * cap, 'uncapped video above twice the cap', 25000);

    // From here on, any renegotiation would show as a signaling state change or a new description.
    const sdp = [pc.localDescription!.sdp, pc.remoteDescription!.sdp, bobPc.localDescription!.sdp];
    let signalingChanges = 0;
    let negotiationNeeded = 0;
    for (const p of [pc, bobPc]) {
      p.addEventListener('signalingstatechange', () => signalingChanges++);
      p.addEventListener('negotiationneeded', () => negotiationNeeded++);
    }

    // 2. Capped through the attribute: at most ~10 % above the cap over 5 s (and in each second, in Chromium).
    ada.setAttribute('max-bitrate', `${cap / 1000}k`);
    await until(async () => (await videoSendRate(pc, 500)) <= secondLimit, 'the cap takes effect', 10000);
    const sender = pc.getSenders().find((s) => s.track?.kind === 'video')!;
    expect(sender.getParameters().encodings.map((e) => e.maxBitrate)).to.deep.equal([cap]);
    const capped: number[] = [];
    for (let i = 0; i < 5; i++) capped.push(await videoSendRate(pc));
    for (const r of capped) expect(r).to.be.at.most(secondLimit);
    expect(capped.reduce((a, r) => a + r, 0) / capped.length).to.be.at.most(limit);
    expect(Math.min(...capped)).to.be.above(cap / 4); // still sending video, just less
    const shown = ada.querySelector('rtc-stats')!.shadowRoot!.querySelector('[part~="video-send-bitrate"]')!.textContent!;
    expect(parseBitrate(shown)).to.be.at.most(secondLimit);

    // 3. Lifted: video rises well above the cap again.
    ada.removeAttribute('max-bitrate');
    let lifted = 0;
    await until(async () => (lifted = await videoSendRate(pc)) > 1.5 * cap, 'video rises again without the cap', 25000);
    expect(sender.getParameters().encodings[0].maxBitrate).to.equal(undefined);

    expect(signalingChanges).to.equal(0);
    expect(negotiationNeeded).to.equal(0);
    expect(pc.signalingState).to.equal('stable');
    expect([pc.localDescription!.sdp, pc.remoteDescription!.sdp, bobPc.localDescription!.sdp]).to.deep.equal(sdp);
    console.log(
      `video send: uncapped ${Math.round(uncapped / 1000)} kbps; capped at ${cap / 1000} kbps: ${capped
        .map((r) => Math.round(r / 1000))
        .join(', ')} kbps; lifted ${Math.round(lifted / 1000)} kbps`,
    );
  });

  it('applies a cap set before joining to the connections made later, per kind', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('cap-early');
    const root = await fixture(html`<div>
      <rtc-call signaling=${url} room=${room} max-video-bitrate="150000" max-audio-bitrate="24k">
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
      <rtc-call signaling=${url} room=${room}>
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    const [ada] = calls;
    expect(ada.maxVideoBitrate).to.equal(150_000);
    expect(ada.maxAudioBitrate).to.equal(24_000);
    const pc = await until(() => [...ada.session.peerConnections().values()][0], 'peer connection');
    await until(() => pc.connectionState === 'connected', 'connected');
    const caps = await until(() => {
      const byKind = Object.fromEntries(pc.getSenders().map((s) => [s.track?.kind, s.getParameters().encodings[0]?.maxBitrate]));
      return byKind.video && byKind.audio ? byKind : null;
    }, 'caps on both senders');
    expect(caps).to.deep.equal({ audio: 24_000, video: 150_000 });
  });
});
