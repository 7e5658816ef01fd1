import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcStats } from './rtc-stats.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';
import { sampleOf, type PeerStats } from '../../core/stats.js';
import { signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);
const text = (el: Element, name: string) => part(el, name)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A participant's figures: `send` and `receive` bits/s of video, a direct path. */
const peer = (id: string, send: number, receive: number): PeerStats => ({
  id,
  name: id,
  sendBitrate: send,
  receiveBitrate: receive,
  audio: { sendBitrate: 0, receiveBitrate: 0, send: null, receive: null, mos: null },
  video: { sendBitrate: send, receiveBitrate: receive, send: null, receive: null, mos: null },
  connection: {
    state: 'connected',
    localCandidateType: 'host',
    remoteCandidateType: 'host',
    protocol: 'udp',
    relayProtocol: null,
    path: 'direct',
    roundTripTime: 2,
    availableOutgoingBitrate: null,
    availableIncomingBitrate: null,
  },
  quality: { level: 'excellent', reasons: [] },
});

/** Ada (camera, microphone, a stats panel) and Bob (`bob` attributes on his camera) in one room. */
async function adaAndBob(calls: RtcCall[], bob: 'no-audio' | '', interval = 500) {
  const url = await signalingUrl();
  const room = uniqueRoom('figures');
  const root = await fixture(html`<div>
    <rtc-call signaling=${url} room=${room} name="Ada"><rtc-camera width="320" height="240" frame-rate="15"></rtc-camera><rtc-stats interval=${interval}></rtc-stats></rtc-call>
    <rtc-call signaling=${url} room=${room} name="Bob"><rtc-camera width="320" height="240" frame-rate="15" ?no-audio=${bob === 'no-audio'}></rtc-camera></rtc-call>
  </div>`);
  calls.push(...root.querySelectorAll('rtc-call'));
  return calls;
}

describe('<rtc-stats> figures', () => {
  const calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('with participant=, the detailed summary shows that participant’s bitrates, not the whole call’s', async () => {
    const el = await fixture<RtcStats>(html`<rtc-stats participant="b"></rtc-stats>`);
    el.sample = sampleOf([peer('a', 800_000, 800_000), peer('b', 100_000, 200_000)], 1, 1000);
    await el.updateComplete;
    expect(text(el, 'send-bitrate')).to.equal('100 kbps');
    expect(text(el, 'receive-bitrate')).to.equal('200 kbps');
  });

  it('with participant=, the compact badge says "Via TURN" only for that participant’s path', async () => {
    const el = await fixture<RtcStats>(html`<rtc-stats variant="compact" participant="c"></rtc-stats>`);
    const relayed = { ...peer('a', 100_000, 100_000) };
    relayed.connection = { ...relayed.connection, path: 'relay', localCandidateType: 'relay' };
    el.sample = sampleOf([relayed, peer('b', 100_000, 100_000)], 1, 1000);
    await el.updateComplete;
    expect(!!part(el, 'path'), 'c is not in the sample: no path to tell').to.equal(false);
    el.participant = 'a';
    await el.updateComplete;
    expect(text(el, 'path')).to.equal('Via TURN');
  });

  it('a participant with no microphone who turns the camera off is not shown as a lost connection', async function () {
    this.timeout(40000);
    const [ada, bob] = await adaAndBob(calls, 'no-audio');
    const panel = ada.querySelector('rtc-stats')!;
    await until(() => (ada.session.stats.latest?.peers[0]?.video.receiveBitrate ?? 0) > 0, 'Ada receives Bob’s video', 20000);
    await bob.session.media.setVideoOff(true);
    await until(() => ada.session.state.participants[0]?.videoOff === true, 'Ada is told Bob’s camera is off');
    // Several intervals with nothing but RTCP and the keepalive arriving from Bob.
    const levels: string[] = [];
    const seen = (e: Event) => levels.push((e as CustomEvent & { sample: { peers: PeerStats[] } }).sample.peers[0]?.quality.level ?? 'none');
    ada.addEventListener('rtc-stats', seen);
    await sleep(3000);
    ada.removeEventListener('rtc-stats', seen);
    expect([...ada.session.peerConnections().values()][0].connectionState).to.equal('connected');
    expect(levels.length, 'samples came').to.be.greaterThan(3);
    expect(levels, 'never lost').to.not.include('lost');
    expect(text(panel, 'quality') ?? '').to.not.contain('Lost');
  });

  it('a smaller interval takes effect at once, not after the wait already under way', async function () {
    this.timeout(40000);
    const [ada] = await adaAndBob(calls, '', 30_000);
    const stats = ada.querySelector('rtc-stats')!;
    const sampler = ada.session.stats;
    await until(() => [...ada.session.peerConnections().values()][0]?.connectionState === 'connected', 'connected', 20000);
    await sleep(500); // the sampler is in its 30 s wait
    const before = sampler.getStatsCalls;
    stats.interval = 200;
    await stats.updateComplete;
    expect(sampler.effectiveInterval).to.equal(200);
    await sleep(2000);
    expect(sampler.getStatsCalls - before, 'getStats calls in the 2 s after interval=200').to.be.at.least(5);
  });

  it('samples no more often than every 100 ms, however small the interval asked', async function () {
    this.timeout(40000);
    const [ada] = await adaAndBob(calls, '', 1);
    const sampler = ada.session.stats;
    await until(() => [...ada.session.peerConnections().values()][0]?.connectionState === 'connected', 'connected', 20000);
    expect(sampler.effectiveInterval).to.equal(100);
    const before = sampler.getStatsCalls;
    await sleep(1000);
    expect(sampler.getStatsCalls - before, 'getStats calls in one second').to.be.within(5, 11);
  });

  it('keeps a participant’s bitrate history through one failed getStats()', async function () {
    this.timeout(40000);
    const [ada] = await adaAndBob(calls, '', 200);
    const sampler = ada.session.stats;
    await until(() => [...ada.session.peerConnections().values()][0]?.connectionState === 'connected', 'connected', 20000);
    const [id, pc] = [...ada.session.peerConnections()][0];
    await until(() => sampler.history(id).length >= 3, 'a few history points', 20000);
    const before = [...sampler.history(id)];
    const [oldest, newest] = [before[0].timestamp, before.at(-1)!.timestamp];
    // STUB: one report that fails, as while a connection is being replaced.
    const real = pc.getStats.bind(pc);
    let reports = 0;
    pc.getStats = (() => (reports++ === 0 ? Promise.reject(new Error('gone')) : real())) as RTCPeerConnection['getStats'];
    // Points closer than 0.6 s are merged, so count none: wait for a point from a report after
    // the failed one, then check the history still starts where it did.
    await until(() => reports >= 3 && (sampler.history(id).at(-1)?.timestamp ?? 0) > newest, 'a point after the failed report');
    const after = sampler.history(id);
    expect(after[0]?.timestamp === oldest, 'the history still starts with its oldest point').to.equal(true);
    expect(after.length, 'no point lost').to.be.at.least(before.length);
  });

  it('reads a live report by id after the first, only the entries its figures use, and still shows them', async function () {
    this.timeout(40000);
    const [ada] = await adaAndBob(calls, '', 200);
    await until(() => [...ada.session.peerConnections().values()][0]?.connectionState === 'connected', 'connected', 20000);
    const pc = [...ada.session.peerConnections().values()][0];
    // A wrapper counting how the kit reads each real report (every entry, or by id).
    const real = pc.getStats.bind(pc);
    const reads: { listed: number; got: number; size: number }[] = [];
    pc.getStats = (async () => {
      const report = await real();
      const r = { listed: 0, got: 0, size: report.size };
      reads.push(r);
      return new Proxy(report, {
        get(target, key) {
          const v = Reflect.get(target, key, target);
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (key === 'get') r.got++;
            else r.listed++;
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    }) as RTCPeerConnection['getStats'];
    const stats = ada.querySelector('rtc-stats')!;
    await until(() => reads.length >= 12, 'twelve reports');
    // Early reports may change shape (the first RTCP reports add entries), and every fifth is read
    // whole anyway: of the last ten, most go by id, each reading only some entries.
    const later = reads.slice(2, 12);
    const byId = later.filter((r) => r.listed === 0);
    expect(byId.length, `reports read by id: ${JSON.stringify(reads)}`).to.be.at.least(6);
    expect(byId.every((r) => r.got > 0 && r.got < r.size), `only some entries read: ${JSON.stringify(reads)}`).to.equal(true);
    // The figures are still those of the call: video both ways, a direct path, a codec.
    await until(() => /\d/.test(text(stats, 'send-bitrate') ?? '') && !/^0 /.test(text(stats, 'receive-bitrate') ?? '0 '), 'bitrates shown');
    expect(text(stats, 'path')).to.equal('Direct');
    expect(text(stats, 'video-codec')).to.match(/VP8|VP9|H264|AV1/);
    pc.getStats = real as RTCPeerConnection['getStats'];
  });
});
