import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RecoveryOptions } from '../../core/peer-link.js';
import type { RtcCall } from './rtc-call.js';
import { nextEvent, signalingUrl, statSum, uniqueRoom, until } from '../../test-support/call-helpers.js';
import { restartTurn, selectedPairTypes, startTurn, stopTurn, turnCredentials, type TurnServer } from '../../test-support/turn.js';

/**
 * Our side sends through its relay; the far end is the other side's relay, which Firefox may
 * still call peer-reflexive when checks from it arrive before its trickled candidate does.
 */
function expectRelayed(types: [string, string] | null) {
  expect(types?.[0]).to.equal('relay');
  expect(types?.[1]).to.be.oneOf(['relay', 'prflx']);
}

describe('<rtc-call> through a real TURN server (coturn)', () => {
  let turn: TurnServer | null = null;
  const calls: RtcCall[] = [];
  before(async () => {
    turn = await startTurn();
  });
  after(async () => {
    if (turn) await stopTurn(turn);
  });
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('connects relay-only, with a relay candidate pair, and media flows', async function () {
    if (!turn) {
      console.warn('[skip] coturn (turnserver) is not installed');
      this.skip();
    }
    const url = await signalingUrl();
    const room = uniqueRoom('relay');
    const servers = [await turnCredentials(turn!, 'ada'), await turnCredentials(turn!, 'bob')];
    const root = await fixture(html`<div>
      ${servers.map(
        (s) => html`<rtc-call signaling=${url} room=${room} ice-transport-policy="relay" .iceServers=${[s]}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
        </rtc-call>`,
      )}
    </div>`);
    calls.push(...root.querySelectorAll('rtc-call'));
    for (const call of calls) {
      const pc = await until(() => [...call.session.peerConnections().values()][0], 'peer connection');
      await until(() => pc.connectionState === 'connected', 'connected via relay');
      expectRelayed(await selectedPairTypes(pc));
      await until(async () => (await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video')).value > 0, 'frames decoded');
    }
  });

  it('reports an expired TURN credential as a clear error (401), not a hang', async function () {
    if (!turn) this.skip();
    const url = await signalingUrl();
    const room = uniqueRoom('expired');
    const expired = await turnCredentials(turn!, 'ada', -60); // expired a minute ago
    const root = await fixture(html`<div>
      <rtc-call id="a" no-auto-join signaling=${url} room=${room} ice-transport-policy="relay" .iceServers=${[expired]}>
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
      <rtc-call id="b" signaling=${url} room=${room} ice-transport-policy="relay" .iceServers=${[await turnCredentials(turn!, 'bob')]}>
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>
    </div>`);
    const [a, b] = root.querySelectorAll('rtc-call');
    calls.push(a, b);
    await until(() => b.session.state.status === 'joined', 'b joined');
    const error = nextEvent(a, 'rtc-error');
    void a.join();
    const e = await error;
    expect(e.code).to.equal('turn-unauthorized');
    await a.updateComplete;
    const status = a.shadowRoot!.querySelector('[part~="status"]')!;
    expect(status.textContent).to.contain('TURN server refused');
    expect(status.hasAttribute('data-error')).to.equal(true);
  });

  it('relay-only without a TURN server: tiles say connecting…, and an error explains why instead of a silent hang', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('noturn');
    const root = await fixture(html`<div>
      <rtc-call id="a" signaling=${url} room=${room} name="Ada" ice-transport-policy="relay"></rtc-call>
      <rtc-call id="b" no-auto-join signaling=${url} room=${room} name="Bob" ice-transport-policy="relay"></rtc-call>
    </div>`);
    const [a, b] = root.querySelectorAll('rtc-call');
    calls.push(a, b);
    await until(() => a.session.state.status === 'joined', 'a joined');
    const error = nextEvent(b, 'rtc-error');
    void b.join();
    expect((await error).code).to.equal('ice-no-candidates');
    await b.updateComplete;
    expect(b.shadowRoot!.querySelector('[part~="status"]')!.textContent).to.contain('no TURN server');
    expect(b.shadowRoot!.querySelector('[part~="tile-status"]')!.textContent).to.equal('connecting…');
    await expect(b).to.be.accessible();
  });

  /** Relay-only call, TURN stopped until the call shows "reconnecting" (plus `outageMs`), then restarted. */
  async function outage(recovery: Partial<RecoveryOptions>, outageMs: number, expectRebuilt: boolean) {
    const url = await signalingUrl();
    const room = uniqueRoom('outage');
    const t = (await startTurn())!; // its own server, so stopping it disturbs no other test
    try {
      const servers = [await turnCredentials(t, 'ada'), await turnCredentials(t, 'bob')];
      const root = await fixture(html`<div>
        ${servers.map(
          (s) => html`<rtc-call signaling=${url} room=${room} ice-transport-policy="relay" .iceServers=${[s]}>
            <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          </rtc-call>`,
        )}
      </div>`);
      const [a, b] = [...root.querySelectorAll('rtc-call')];
      calls.push(a, b);
      for (const call of [a, b]) call.session.config.recovery = recovery;
      const pcOf = (call: typeof a) => [...call.session.peerConnections().values()][0];
      const frames = async (call: typeof a) =>
        pcOf(call) ? (await statSum(pcOf(call), 'inbound-rtp', 'framesDecoded', 'video')).value : 0;
      await until(async () => (await frames(a)) > 0 && (await frames(b)) > 0, 'frames through the relay');

      const firstPc = pcOf(a);
      const t0 = performance.now();
      await stopTurn(t);
      const tile = () => a.shadowRoot!.querySelector('[part~="tile"]')!;
      await until(() => tile().getAttribute('data-state') === 'reconnecting', 'a shows reconnecting', 20000);
      await a.updateComplete;
      expect(tile().querySelector('[part~="tile-status"]')!.textContent).to.equal('reconnecting…');
      const stalled = await frames(a);
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, outageMs));
      await restartTurn(t);
      const t2 = performance.now();
      await until(() => tile().getAttribute('data-state') === 'connected', 'a recovers', 30000);
      console.log(
        `TURN stopped → reconnecting shown ${Math.round(t1 - t0)} ms; TURN restarted → connected ${Math.round(performance.now() - t2)} ms;` +
          ` ${pcOf(a) === firstPc ? 'same connection (ICE restart)' : 'new connection (rebuilt)'}`,
      );
      for (const call of [a, b]) {
        const before = await frames(call);
        await until(async () => (await frames(call)) > before + 10, 'frames rise again');
        expectRelayed(await selectedPairTypes(pcOf(call)));
      }
      if (!expectRebuilt) expect(await frames(a)).to.be.greaterThan(stalled);
      expect(a.shadowRoot!.querySelector('[part~="tile-status"]')).to.equal(null);
      expect(a.session.state.error, 'an ICE error shown during the outage is cleared').to.equal(null);
      expect(pcOf(a) !== firstPc, expectRebuilt ? 'rebuilt' : 'restarted in place').to.equal(expectRebuilt);
      expect(firstPc.connectionState).to.equal(expectRebuilt ? 'closed' : 'connected');
    } finally {
      await stopTurn(t);
    }
  }

  it('recovers from a TURN outage by ICE restart: shows reconnecting, and remote frames rise again', async function () {
    if (!turn) this.skip();
    this.timeout(60000);
    await outage({}, 0, false);
  });

  it('rebuilds the peer connection after repeated failed restarts, and recovers', async function () {
    if (!turn) this.skip();
    this.timeout(60000);
    // One restart allowed, retried after 1.5 s: a 4 s outage exhausts it and forces a new connection.
    await outage({ maxRestarts: 1, restartTimeoutMs: 1500 }, 4000, true);
  });
});
