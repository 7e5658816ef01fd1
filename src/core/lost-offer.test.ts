import { expect } from '@open-wc/testing';
import { CallSession } from './call-session.js';
import { InMemorySignalingHub } from './in-memory-signaling.js';
import { SignalingClient } from './signaling-client.js';
import type { SignalingTransport } from './signaling-transport.js';
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
  /** The next offer any client sends goes nowhere, as if the server lost it after taking it. */
  const dropNextOffer = () => {
    const dropped = { count: 0 };
    SignalingClient.prototype.signal = function (this: SignalingClient, to, data) {
      if ('description' in data && data.description.type === 'offer' && dropped.count === 0) {
        dropped.count++;
        return;
      }
      return signal.call(this, to, data);
    };
    return dropped;
  };
  // Candidates of an offer that was lost still arrive: of an ICE generation the other side never
  // saw, they must be dropped quietly, not logged as negotiation failures.
  const warn = console.warn;
  let negotiationWarnings: string[] = [];
  beforeEach(() => {
    negotiationWarnings = [];
    console.warn = (...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (text.includes('negotiation')) negotiationWarnings.push(text);
      warn(...args);
    };
  });
  afterEach(() => {
    console.warn = warn;
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
    const dropped = dropNextOffer();
    const bob = new CallSession({ signaling: url, room, name: 'Bob', recovery });
    sessions.push(bob);
    await bob.media.start({ video: { width: 320, height: 240 }, audio: false });
    await bob.join();
    await until(() => dropped.count === 1, 'the first offer was dropped');
    const firstPc = [...bob.peerConnections().values()][0];
    await allConnected([ada, bob], 'connected in the end');
    expect(dropped.count).to.equal(1);
    expect(ada.state.error).to.equal(null, 'no error shown at Ada');
    expect(bob.state.error).to.equal(null, 'no error shown at Bob');
    const pc = [...bob.peerConnections().values()][0];
    expect(pc).not.to.equal(firstPc, 'a new connection');
    const before = (await statSum([...ada.peerConnections().values()][0], 'inbound-rtp', 'framesDecoded', 'video')).value;
    await until(async () => (await statSum([...ada.peerConnections().values()][0], 'inbound-rtp', 'framesDecoded', 'video')).value > before + 10, 'Ada decodes Bob’s video');
    expect(negotiationWarnings, 'no negotiation warnings').to.deep.equal([]);
  });

  it('waits while signaling is down: the held offer goes out when it is back, and the first connection stays', async function () {
    this.timeout(30_000);
    const hub = new InMemorySignalingHub();
    const recovery = { connectTimeoutMs: 1000 };
    const ada = new CallSession({ signaling: () => hub.transport(), room: 'held', name: 'Ada', recovery });
    sessions.push(ada);
    await ada.join();
    // Bob's signaling drops as his first offer goes out and stays down well past the timeout.
    let down = false;
    const refused: SignalingTransport = { connect: () => Promise.reject(new Error('down')), send() {}, close() {} };
    const bob = new CallSession({ signaling: () => (down ? refused : hub.transport()), room: 'held', name: 'Bob', recovery });
    sessions.push(bob);
    let firstPc: RTCPeerConnection | undefined;
    SignalingClient.prototype.signal = function (this: SignalingClient, to, data) {
      if ('description' in data && data.description.type === 'offer' && !firstPc) {
        firstPc = [...bob.peerConnections().values()][0];
        down = true;
        hub.disconnectAll(); // a blip for both (their slots wait); Bob cannot get back for 3 s
        setTimeout(() => (down = false), 3000);
      }
      return signal.call(this, to, data);
    };
    await bob.media.start({ video: { width: 320, height: 240 }, audio: false });
    await bob.join();
    await until(() => bob.state.reconnecting, 'Bob’s signaling is down');
    const idBob = bob.state.localId;
    await allConnected([ada, bob], 'connected once signaling is back');
    expect(bob.state.localId).to.equal(idBob, 'Bob resumed as himself');
    expect([...bob.peerConnections().values()][0] === firstPc).to.equal(true, 'the first connection, not a rebuilt one');
    expect(negotiationWarnings, 'no negotiation warnings').to.deep.equal([]);
  });

  it('a renegotiation whose offer was lost is rolled back and offered again', async function () {
    this.timeout(30_000);
    const url = await signalingUrl();
    const room = uniqueRoom('lost-reneg');
    const recovery = { answerTimeoutMs: 2000 };
    const ada = new CallSession({ signaling: url, room, name: 'Ada', recovery });
    const bob = new CallSession({ signaling: url, room, name: 'Bob', recovery });
    sessions.push(ada, bob);
    await ada.join();
    await bob.join();
    await allConnected([ada, bob]);
    const ufrag = (pc: RTCPeerConnection) => /a=ice-ufrag:(\S+)/.exec(pc.currentRemoteDescription?.sdp ?? '')?.[1];
    const adaPc = [...ada.peerConnections().values()][0];
    const bobPc = [...bob.peerConnections().values()][0];
    const before = ufrag(adaPc);
    // Bob restarts ICE; his offer goes nowhere, as if the server lost it after acknowledging it.
    const dropped = dropNextOffer();
    bobPc.restartIce();
    await until(() => dropped.count === 1, 'the restart’s offer was dropped');
    await until(
      () => ufrag(adaPc) !== before && bobPc.signalingState === 'stable',
      () => `the restart completes with an offer made again (Bob ${bobPc.signalingState}, offers dropped ${dropped.count}, Ada's ufrag ${ufrag(adaPc) === before ? 'unchanged' : 'changed'})`,
      15_000,
    );
    expect([...bob.peerConnections().values()][0] === bobPc).to.equal(true, 'on the same connection');
    expect(ada.state.error).to.equal(null);
    expect(bob.state.error).to.equal(null);
    expect(negotiationWarnings, 'no negotiation warnings').to.deep.equal([]);
  });
});
