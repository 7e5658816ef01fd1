import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { signalingUrl, statSum, uniqueRoom, until } from '../../test-support/call-helpers.js';
import { selectedPairTypes, startTurn, stopTurn, turnCredentials, type TurnServer } from '../../test-support/turn.js';

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
      expect(await selectedPairTypes(pc)).to.deep.equal(['relay', 'relay']);
      await until(async () => (await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video')).value > 0, 'frames decoded');
    }
  });
});
