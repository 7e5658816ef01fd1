import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcStats } from './rtc-stats.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';
import type { RtcStatsEvent } from '../../events/rtc-stats-event.js';
import type { StatsSample } from '../../core/stats.js';
import { parseBitrate, signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);
const text = (el: Element, name: string) => part(el, name)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('<rtc-stats>', () => {
  const calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('shows dashes outside a call and is accessible', async () => {
    const el = await fixture<RtcStats>(html`<rtc-stats></rtc-stats>`);
    expect(el.shadowRoot!.querySelector('[part~="send-bitrate"]')!.textContent).to.equal('—');
    expect(el.shadowRoot!.querySelector('[part~="receive-bitrate"]')!.textContent).to.equal('—');
    await expect(el).to.be.accessible();
  });

  it('samples only while shown, and two elements share one getStats per connection', async () => {
    const call = await fixture<RtcCall>(html`<rtc-call no-auto-join><rtc-stats></rtc-stats><rtc-stats></rtc-stats></rtc-call>`);
    const sampler = call.session.stats;
    expect(sampler.active).to.be.true;
    // Count getStats calls on a real (unconnected) peer connection handed to the sampler.
    const pc = new RTCPeerConnection();
    let calls = 0;
    const original = pc.getStats.bind(pc);
    pc.getStats = ((...args: Parameters<RTCPeerConnection['getStats']>) => {
      calls++;
      return original(...args);
    }) as RTCPeerConnection['getStats'];
    (sampler as unknown as { connections: () => Map<string, RTCPeerConnection> }).connections = () => new Map([['p', pc]]);
    // Both elements ask for 100 ms: one shared loop at 100 ms, not two.
    for (const s of call.querySelectorAll('rtc-stats')) s.interval = 100;
    await new Promise((r) => setTimeout(r, 1050));
    expect(calls).to.be.within(8, 12);
    for (const s of call.querySelectorAll('rtc-stats')) s.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(sampler.active).to.be.false;
    const after = calls;
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).to.be.at.most(after + 1);
    pc.close();
  });

  it('shows real figures of a live call: bitrates both ways, loss, round trip, candidates, video, quality', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('stats');
    const root = await fixture(html`<div lang="en">
      ${['Ada', 'Bob'].map(
        (name) => html`<rtc-call signaling=${url} room=${room} name=${name}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          <rtc-stats></rtc-stats>
          <rtc-stats variant="compact"></rtc-stats>
        </rtc-call>`,
      )}
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    const [ada] = calls;
    const [panel, badge] = ada.querySelectorAll('rtc-stats');

    // The call re-dispatches each sample; the one on the controller is the same object.
    const events: RtcStatsEvent[] = [];
    ada.addEventListener('rtc-stats', (e) => events.push(e));

    const sample = (await until((): StatsSample | null => {
      const s = ada.session.stats.latest;
      const p = s?.peers[0];
      return p &&
        p.audio.sendBitrate > 0 && p.audio.receiveBitrate > 0 &&
        p.video.sendBitrate > 0 && p.video.receiveBitrate > 0 &&
        p.video.send?.roundTripTime !== null && p.video.receive?.frameWidth
        ? s!
        : null;
    }, 'a sample with media both ways and an RTCP round trip', 20000))!;
    const peer = sample.peers[0];
    expect(peer.name).to.equal('Bob');
    // From real reports: loss is counted (0 on loopback), RTT measured, the pair is host ↔ host.
    expect(peer.audio.receive!.packetsLost).to.be.a('number').and.to.be.at.most(1);
    expect(peer.video.send!.packetsLost).to.be.a('number');
    expect(peer.connection.roundTripTime).to.be.a('number').and.to.be.below(100);
    expect(peer.connection.localCandidateType).to.equal('host');
    // NOTE: Firefox may learn the peer's host address from its checks before the trickled
    // candidate arrives and report it as peer-reflexive; either way the path is direct.
    expect(peer.connection.remoteCandidateType).to.be.oneOf(['host', 'prflx']);
    expect(peer.connection.path).to.equal('direct');
    expect(peer.connection.path).to.equal('direct');
    expect(peer.connection.protocol).to.equal('udp');
    // Chromium reports the send-side bandwidth estimate and why video is limited; Firefox does not.
    const chromium = navigator.userAgent.includes('Chrome/');
    if (chromium) expect(peer.connection.availableOutgoingBitrate).to.be.above(0);
    expect(peer.video.receive).to.include({ frameWidth: 320, frameHeight: 240 });
    expect(peer.video.send!.codec).to.be.a('string');
    if (chromium) expect(peer.video.send!.qualityLimitationReason).to.be.oneOf(['none', 'cpu', 'bandwidth', 'other']);
    expect(peer.audio.mos).to.be.above(4);
    expect(sample.quality!.level).to.equal('excellent');

    expect(events.length).to.be.above(0);
    expect(events.at(-1)!.sample).to.equal(ada.session.stats.latest);
    expect(events.at(-1)!.bubbles && events.at(-1)!.composed).to.be.true;

    // What the user sees.
    await until(() => text(panel, 'path') === 'Direct', 'the panel shows the direct path');
    expect(parseBitrate(text(panel, 'send-bitrate')!)).to.be.above(0);
    expect(parseBitrate(text(panel, 'receive-bitrate')!)).to.be.above(0);
    expect(parseBitrate(text(panel, 'video-receive-bitrate')!)).to.be.above(0);
    expect(text(panel, 'local-candidate')).to.equal('host');
    expect(text(panel, 'peer-name')).to.equal('Bob');
    expect(text(panel, 'video-received-video')).to.match(/^320×240 · \d+ fps$/);
    expect(text(panel, 'rtt')).to.match(/ ms$/);
    expect(text(panel, 'audio-lost-received')).to.match(/%$/);
    expect(part(panel, 'quality')!.getAttribute('data-level')).to.equal('excellent');
    expect(part(panel, 'sparkline')!.getAttribute('aria-label')).to.match(/sending \d+ kbps now/);
    expect(part(badge, 'quality')!.textContent!.trim()).to.equal('Excellent');
    expect(parseBitrate(text(badge, 'send-bitrate')!)).to.be.above(0);
    await expect(panel).to.be.accessible();
    await expect(badge).to.be.accessible();
  });

  it('does not sample for a mere rtc-stats listener, and stops when the call ends', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('stats-cost');
    const root = await fixture(html`<div>
      ${[0, 1].map(
        () => html`<rtc-call signaling=${url} room=${room}>
          <rtc-camera width="320" height="240" frame-rate="15" no-audio></rtc-camera>
        </rtc-call>`,
      )}
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    const [ada] = calls;
    let events = 0;
    let first: RtcStatsEvent | undefined;
    ada.addEventListener('rtc-stats', (e) => {
      events++;
      first ??= e;
    });
    const pc = await until(() => [...ada.session.peerConnections().values()][0], 'peer connection');
    await until(() => pc.connectionState === 'connected', 'connected');
    await sleep(1500);
    expect(ada.session.stats.active).to.be.false;
    expect(ada.session.stats.getStatsCalls).to.equal(0);
    expect(events).to.equal(0);

    // An app subscribes: samples flow and reach the listener.
    const release = ada.session.stats.subscribe({ interval: 200 });
    await until(() => events >= 2, 'rtc-stats events once subscribed');
    expect(ada.session.stats.getStatsCalls).to.be.at.least(3);
    // The first report is only a baseline: the first sample shown already has real rates, not 0.
    expect(first!.sample.peers[0].video.sendBitrate).to.be.above(0);
    expect(first!.sample.interval).to.be.above(0);

    // The call ends: no more getStats, no more samples, no stale latest — though still subscribed.
    ada.leave();
    await sleep(300);
    const calls0 = ada.session.stats.getStatsCalls;
    const events0 = events;
    await sleep(800);
    expect(ada.session.stats.getStatsCalls).to.equal(calls0);
    expect(events).to.equal(events0);
    expect(ada.session.stats.latest).to.equal(null);
    release();
    expect(ada.session.stats.active).to.be.false;
  });

  it('takes an explicit sample over the call, with translated labels', async () => {
    const el = await fixture<RtcStats>(html`<rtc-stats lang="de"></rtc-stats>`);
    el.strings = { sending: 'Senden', units: { kbps: 'kbit/s', Mbps: 'Mbit/s', ms: 'ms', fps: 'B/s' } };
    el.sample = {
      timestamp: 1,
      interval: 1000,
      sendBitrate: 1_450_000,
      receiveBitrate: 812_000,
      quality: { level: 'poor', reasons: [{ metric: 'loss', level: 'poor', value: 12 }] },
      peers: [],
    };
    await el.updateComplete;
    expect(text(el, 'send-bitrate')).to.equal('1,5 Mbit/s');
    expect(text(el, 'receive-bitrate')).to.equal('812 kbit/s');
    expect(el.shadowRoot!.textContent).to.contain('Senden');
    expect(part(el, 'quality')!.getAttribute('data-level')).to.equal('poor');
    expect(text(el, 'quality-reason')).to.equal('packet loss 12 %');
    expect(el.matches('[data-quality="poor"]')).to.be.true;
    if (typeof CustomStateSet !== 'undefined') expect(el.matches(':state(poor)')).to.be.true;
  });

  it('shows one participant when asked to', async () => {
    const peer = (id: string, name: string, level: 'excellent' | 'poor') => ({
      id,
      name,
      sendBitrate: 1000,
      receiveBitrate: 1000,
      audio: { sendBitrate: 0, receiveBitrate: 0, send: null, receive: null, mos: null },
      video: { sendBitrate: 1000, receiveBitrate: 1000, send: null, receive: null, mos: null },
      connection: {
        state: 'connected' as const,
        localCandidateType: 'host' as const,
        remoteCandidateType: 'host' as const,
        protocol: 'udp',
        relayProtocol: null,
        path: 'direct' as const,
        roundTripTime: 2,
        availableOutgoingBitrate: null,
        availableIncomingBitrate: null,
      },
      quality: { level, reasons: [] },
    });
    const el = await fixture<RtcStats>(html`<rtc-stats participant="b"></rtc-stats>`);
    el.sample = {
      timestamp: 1,
      interval: 1000,
      sendBitrate: 2000,
      receiveBitrate: 2000,
      quality: { level: 'poor', reasons: [] },
      peers: [peer('a', 'Ada', 'poor'), peer('b', 'Bob', 'excellent')],
    };
    await el.updateComplete;
    const names = [...el.shadowRoot!.querySelectorAll('[part~="peer-name"]')].map((n) => n.textContent);
    expect(names).to.deep.equal(['Bob']);
    expect(el.getAttribute('data-quality')).to.equal('excellent');
  });
});
