// <rtc-stats> over real TURN (coturn) and over a real bad network: a lossy, delaying UDP proxy
// (scripts/udp-proxy-plugin.mjs) between one browser's peer connection and coturn, relay-only,
// so every media packet of that side crosses it both ways (loopback itself is lossless).
import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';
import type { RtcStats } from './rtc-stats.js';
import type { QualityMetric } from '../../core/quality.js';
import { signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';
import { startTurn, stopTurn, turnCredentials, type TurnServer } from '../../test-support/turn.js';
import { impair, startUdpProxy, stopUdpProxy, type UdpProxy } from '../../test-support/udp-proxy.js';

const text = (el: Element, name: string) =>
  el.shadowRoot!.querySelector(`[part~="${name}"]`)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
const level = (el: Element) => el.shadowRoot!.querySelector('[part~="quality"]')?.getAttribute('data-level');

describe('<rtc-stats> on real networks', () => {
  let turn: TurnServer | null = null;
  let proxy: UdpProxy | null = null;
  const calls: RtcCall[] = [];
  before(async () => {
    turn = await startTurn();
  });
  after(async () => {
    if (turn) await stopTurn(turn);
  });
  afterEach(async () => {
    calls.splice(0).forEach((c) => c.leave());
    if (proxy) await stopUdpProxy(proxy);
    proxy = null;
  });

  it('shows "Via TURN" and relay candidates for a relay-only call through coturn', async function () {
    if (!turn) {
      console.warn('[skip] coturn (turnserver) is not installed');
      this.skip();
    }
    const url = await signalingUrl();
    const room = uniqueRoom('stats-relay');
    const servers = [await turnCredentials(turn!, 'ada'), await turnCredentials(turn!, 'bob')];
    const root = await fixture(html`<div>
      ${servers.map(
        (s) => html`<rtc-call signaling=${url} room=${room} ice-transport-policy="relay" .iceServers=${[s]}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          <rtc-stats></rtc-stats>
        </rtc-call>`,
      )}
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    for (const call of calls) {
      const stats = call.querySelector('rtc-stats')!;
      await until(() => text(stats, 'path') === 'Via TURN', 'the panel says the path is via TURN', 20000);
      expect(text(stats, 'local-candidate')).to.equal('relay');
      // NOTE: Firefox sometimes learns the peer's relay address from its checks first and
      // reports it as peer-reflexive; the local side is what proves our traffic goes via TURN.
      expect(text(stats, 'remote-candidate')).to.be.oneOf(['relay', 'prflx']);
      expect(text(stats, 'protocol')).to.equal('UDP (TURN UDP)');
      const peer = call.session.stats.latest!.peers[0];
      expect(peer.connection).to.include({ localCandidateType: 'relay', path: 'relay', relayProtocol: 'udp' });
      await until(() => (call.session.stats.latest?.peers[0]?.receiveBitrate ?? 0) > 0, 'media received via TURN');
    }
  });

  it('falls from excellent to poor when the network loses and delays packets, says why, and shows lost and recovery', async function () {
    if (!turn) {
      console.warn('[skip] coturn (turnserver) is not installed');
      this.skip();
    }
    this.timeout(90000);
    // NOTE: one CI run in several (Firefox, with both browsers' suites loading two cores) never
    // showed "poor" within the wait; the verdicts it saw are now in the failure message. A second
    // attempt on a fresh call and proxy keeps that rare miss from failing the run unexplained.
    this.retries(1);
    proxy = await startUdpProxy(turn!.port);
    const url = await signalingUrl();
    const room = uniqueRoom('stats-poor');
    const viaProxy = { ...(await turnCredentials(turn!, 'ada')), urls: [`turn:127.0.0.1:${proxy.port}?transport=udp`] };
    const direct = await turnCredentials(turn!, 'bob');
    const root = await fixture(html`<div lang="en">
      ${[viaProxy, direct].map(
        (s) => html`<rtc-call signaling=${url} room=${room} ice-transport-policy="relay" .iceServers=${[s]}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          <rtc-stats></rtc-stats>
        </rtc-call>`,
      )}
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    const ada = calls[0];
    const stats = ada.querySelector<RtcStats>('rtc-stats')!;

    // A clean path first: loopback through coturn and the idle proxy.
    await until(() => text(stats, 'path') === 'Via TURN', 'relayed through the proxy', 20000);
    await until(() => level(stats) === 'excellent', 'excellent on the clean path', 20000);

    // Now 15 % loss and 200 ms each way on Ada's side.
    await impair(proxy, { loss: 15, delay: 200 });
    const seen = new Set<QualityMetric>();
    const history: string[] = [];
    await until(() => {
      const q = ada.session.stats.latest?.quality;
      q?.reasons.forEach((r) => seen.add(r.metric));
      const now = `${level(stats)}[${q?.reasons.map((r) => `${r.metric}:${r.level}:${r.value?.toFixed(0)}`).join(',')}]`;
      if (history.at(-1) !== now) history.push(now);
      return level(stats) === 'poor' && seen.has('loss') && seen.has('delay');
    }, () => {
      const why = `quality poor, for loss and for delay; verdicts seen: ${history.slice(-12).join(' → ')}`;
      console.warn(`attempt failed: ${why}`); // shown even when the retry passes
      return why;
    }, 30000);
    const reason = text(stats, 'quality-reason')!;
    expect(reason).to.match(/packet loss|high delay/);
    const peer = ada.session.stats.latest!.peers[0];
    const loss = Math.max(peer.audio.receive?.packetsLost ?? 0, peer.video.receive?.packetsLost ?? 0);
    const rtt = peer.connection.roundTripTime ?? peer.video.send?.roundTripTime ?? 0;
    console.log(`impaired: quality ${peer.quality.level}, reasons "${reason}", receive loss ${loss.toFixed(1)} %, rtt ${rtt.toFixed(0)} ms`);
    expect(rtt).to.be.above(300);

    // Everything dropped: ICE sees no answers, the connection drops and the verdict is lost.
    await impair(proxy, { loss: 100, delay: 0 });
    // (The first interval may still count the loss of the last packets that did arrive.)
    await until(
      () => level(stats) === 'lost' && (text(stats, 'quality-reason') ?? '').includes('connection lost'),
      'quality lost, for the connection, when nothing gets through',
      25000,
    );
    expect(stats.matches('[data-quality="lost"]')).to.be.true;

    // The network heals: the same connection recovers (no new negotiation) and so does the verdict.
    await impair(proxy, { loss: 0, delay: 0 });
    await until(() => level(stats) === 'excellent' || level(stats) === 'good', 'quality back after recovery', 25000);
  });
});
