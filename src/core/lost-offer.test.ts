import { expect } from '@open-wc/testing';
import { CallSession } from './call-session.js';
import { SignalingClient } from './signaling-client.js';
import { signalingUrl, statSum, uniqueRoom, until } from '../test-support/call-helpers.js';
import { allConnected } from '../test-support/sessions.js';

/**
 * A signal lost after the server took it (a process that crashed holding it, a Redis bus that
 * dropped it) is never sent again: the protocol's retransmission ends at the server. Without a
 * way out, a first connection whose offer was lost waits for ever on both sides.
 */
describe('a first connection whose offer was lost on the way', () => {
  const sessions: CallSession[] = [];
  const signal = SignalingClient.prototype.signal;
  afterEach(() => {
    SignalingClient.prototype.signal = signal;
    sessions.splice(0).forEach((s) => s.leave());
  });

  it('is built anew by the side that offered, and the call connects', async function () {
    this.timeout(30_000);
    const url = await signalingUrl();
    const room = uniqueRoom('lost');
    const recovery = { connectTimeoutMs: 3000 };
    const ada = new CallSession({ signaling: url, room, name: 'Ada', recovery });
    sessions.push(ada);
    await ada.join();
    // Bob's first offer to Ada goes nowhere, as if the server lost it after acknowledging it.
    let dropped = 0;
    SignalingClient.prototype.signal = function (this: SignalingClient, to, data) {
      if ('description' in data && data.description.type === 'offer' && dropped === 0) {
        dropped++;
        return;
      }
      return signal.call(this, to, data);
    };
    const bob = new CallSession({ signaling: url, room, name: 'Bob', recovery });
    sessions.push(bob);
    await bob.media.start({ video: { width: 320, height: 240 }, audio: false });
    await bob.join();
    await until(() => dropped === 1, 'the first offer was dropped');
    const firstPc = [...bob.peerConnections().values()][0];
    await allConnected([ada, bob], 'connected in the end');
    expect(dropped).to.equal(1);
    const pc = [...bob.peerConnections().values()][0];
    expect(pc).not.to.equal(firstPc, 'a new connection');
    const before = (await statSum([...ada.peerConnections().values()][0], 'inbound-rtp', 'framesDecoded', 'video')).value;
    await until(async () => (await statSum([...ada.peerConnections().values()][0], 'inbound-rtp', 'framesDecoded', 'video')).value > before + 10, 'Ada decodes Bob’s video');
  });
});
