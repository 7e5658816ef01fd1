/**
 * A call's life around its edges, as pure logic (an in-page hub or a scripted server; no media
 * needed): leaving while a join is still fetching its token or connecting, joining again at once,
 * a first join that meets a server asking to be tried again, a blank signaling setting, and
 * coming back from a long outage as a new participant.
 */
import { expect } from '@open-wc/testing';
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';
import { CallSession } from './call-session.js';
import { InMemorySignalingHub } from './in-memory-signaling.js';
import { PeerLink } from './peer-link.js';
import type { ParticipantEvent } from './session-events.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';
import { until } from '../test-support/call-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CallSession: leaving and joining around a join in progress', () => {
  it('leave() right after join() with a room token puts nobody in the room', async () => {
    const hub = new InMemorySignalingHub();
    const s = new CallSession({ signaling: () => hub.transport(), room: 'ghost', token: 'tok', mediaWaitMs: 0 });
    void s.join();
    s.leave();
    await sleep(300);
    expect(hub.rooms().get('ghost') ?? 0).to.equal(0);
    expect(s.state.status).to.equal('left');
  });

  it('leave() while getToken() is pending puts nobody in the room', async () => {
    const hub = new InMemorySignalingHub();
    const s = new CallSession({ signaling: () => hub.transport(), room: 'ghost2', getToken: () => sleep(100).then(() => 'tok'), mediaWaitMs: 0 });
    void s.join();
    await sleep(20);
    s.leave();
    await sleep(400);
    expect(hub.rooms().get('ghost2') ?? 0).to.equal(0);
  });

  it('leave(); join() while connecting ends up joined, once', async () => {
    const hub = new InMemorySignalingHub();
    const s = new CallSession({ signaling: () => hub.transport(), room: 'again', mediaWaitMs: 0 });
    const first = s.join();
    s.leave();
    const second = s.join();
    expect(second).to.not.equal(first);
    await second;
    await sleep(100);
    expect(s.state.status).to.equal('joined');
    expect(hub.rooms().get('again')).to.equal(1);
    s.leave();
  });

  it('a blank signaling setting is an error state, not a rejection and a call stuck connecting', async () => {
    const s = new CallSession({ signaling: ' , ', room: 'r' });
    let rejected = '';
    await s.join().catch((e: Error) => (rejected = String(e)));
    expect(rejected).to.equal('');
    expect(s.state.status).to.equal('error');
    expect(s.state.error?.code).to.equal('not-configured');
  });
});

/** A server that closes the first `n` joins with `code` (or answers `error unavailable` first), then welcomes. */
function comeBackServer(n: number, close: number | 'unavailable') {
  let made = 0;
  return () => {
    const i = made++;
    const t: SignalingTransport = {
      async connect() {},
      send(m: ClientMessage) {
        if (m.type !== 'join') return;
        if (i >= n) {
          setTimeout(() => t.onmessage?.({ v: 1, type: 'welcome', id: 'me', room: 'r', peers: [], resume: 's', epoch: 'e', ack: 0 } as unknown as ServerMessage));
        } else if (close === 'unavailable') {
          setTimeout(() => t.onmessage?.({ v: 1, type: 'error', code: 'unavailable', message: 'try again shortly' }));
        } else {
          setTimeout(() => t.onclose?.({ code: close, reason: 'server restarting' }));
        }
      },
      close() {},
    };
    return t;
  };
}

describe('CallSession: a first join that the server asks to try again', () => {
  for (const close of [4012, 4503, 'unavailable'] as const) {
    it(`is tried again after ${close} (a rolling restart, a full server, Redis away)`, async () => {
      const s = new CallSession({ signaling: comeBackServer(2, close), room: 'r', mediaWaitMs: 0 });
      await s.join();
      expect(s.state.status).to.equal('joined');
      s.leave();
    });
  }

  it('a server that cannot be reached fails at once', async () => {
    const s = new CallSession({ signaling: 'ws://127.0.0.1:9/signal', room: 'r', mediaWaitMs: 0 });
    const t0 = performance.now();
    await s.join();
    expect(s.state.status).to.equal('error');
    expect(s.state.error?.code).to.equal('signaling-unreachable');
    expect(performance.now() - t0).to.be.below(5000);
    s.leave(); // the camera the join started
  });
});

/**
 * A scripted server: the first welcome lists Bob and Cy; after a drop (`made[0].drop()`), the
 * next lists only Bob (Cy left meanwhile), and gives us a new id, or with `resumed` the same one
 * (a restarted server that re-admits us as ourselves), naming its `grace` if given.
 */
class TwoWelcomes implements SignalingTransport {
  onmessage?: (m: ServerMessage) => void;
  onclose?: (i: TransportClose) => void;
  sent: ClientMessage[] = [];
  constructor(
    private readonly n: number,
    private readonly opts: { resumed?: boolean; grace?: number },
  ) {}
  async connect(): Promise<void> {}
  send(m: ClientMessage): void {
    this.sent.push(m);
    if (m.type !== 'join') return;
    const peers = this.n === 0 ? [{ id: 'p-bob', name: 'Bob' }, { id: 'p-cy', name: 'Cy' }] : [{ id: 'p-bob', name: 'Bob' }];
    const { resumed = false, grace } = this.opts;
    const id = resumed ? 'a' : this.n === 0 ? 'a-old' : 'a-new';
    const welcome = { v: 1, type: 'welcome', id, room: 'r', peers, resume: `s${this.n}`, resumed: resumed && this.n > 0, epoch: `e${this.n}`, ack: 0, grace };
    setTimeout(() => this.onmessage?.(welcome as unknown as ServerMessage));
  }
  /** Someone comes back (or in). */
  joined(id: string, name: string): void {
    this.onmessage?.({ v: 1, type: 'peer-joined', peer: { id, name } } as ServerMessage);
  }
  close(): void {}
  drop(): void {
    this.onclose?.({ code: 1006, reason: '' });
  }
}

/** A session on `TwoWelcomes` (its connections in `made`). */
function twoWelcomesSession(opts: { resumed?: boolean; grace?: number; absentPeerMs?: number } = {}) {
  const made: TwoWelcomes[] = [];
  const s = new CallSession({
    signaling: () => {
      const t = new TwoWelcomes(made.length, opts);
      made.push(t);
      return t;
    },
    room: 'r',
    mediaWaitMs: 0,
    absentPeerMs: opts.absentPeerMs,
  });
  return { made, s };
}

describe('CallSession: back from a long outage as a new participant', () => {
  it('tells the page who left and who is (newly) here, and the data channels follow', async () => {
    const { made, s } = twoWelcomesSession();
    const chat = s.channel('chat');
    const events: string[] = [];
    s.addEventListener('participant-joined', (e) => events.push(`+${(e as ParticipantEvent).participant.id}`));
    s.addEventListener('participant-left', (e) => events.push(`-${(e as ParticipantEvent).participant.id}`));
    await s.join();
    for (let i = 0; i < 30 && chat.peers.length < 2; i++) await sleep(100); // links are made once the media is settled
    expect([...chat.peers].sort()).to.deep.equal(['p-bob', 'p-cy']);
    made[0].drop();
    for (let i = 0; i < 50 && s.state.localId !== 'a-new'; i++) await sleep(100);
    expect(s.state.localId).to.equal('a-new');
    expect(events).to.deep.equal(['+p-bob', '+p-cy', '-p-bob', '-p-cy', '+p-bob']);
    expect(s.state.participants.map((p) => p.id)).to.deep.equal(['p-bob']);
    expect([...chat.peers]).to.deep.equal(['p-bob'], 'no channel end left for Cy, who is gone');
    s.leave();
  });

  it('still asks for no video from someone whose tile the page hides', async () => {
    const { made, s } = twoWelcomesSession();
    // SPY: what each link is asked (its control message needs a real other side; the pause itself
    // is proven in rtc-call.room.test.ts).
    const asked: string[] = [];
    const real = PeerLink.prototype.setVideoWanted;
    PeerLink.prototype.setVideoWanted = function (this: PeerLink, wanted: boolean) {
      asked.push(`${this.id}:${wanted}`);
      return real.call(this, wanted);
    };
    try {
      await s.join();
      for (let i = 0; i < 30 && s.state.participants.length < 2; i++) await sleep(100);
      s.setVideoWanted('p-bob', false);
      s.setVideoWanted('p-cy', false);
      expect(asked).to.deep.equal(['p-bob:false', 'p-cy:false']);
      made[0].drop();
      for (let i = 0; i < 50 && s.state.localId !== 'a-new'; i++) await sleep(100);
      expect(s.state.localId).to.equal('a-new');
      expect(asked, 'the new link with Bob is asked for no video too').to.deep.equal(['p-bob:false', 'p-cy:false', 'p-bob:false']);
    } finally {
      PeerLink.prototype.setVideoWanted = real;
      s.leave();
    }
  });
});

describe('CallSession: rename', () => {
  it('renames in place through the in-page hub: the other side sees the new name on the same participant', async () => {
    const hub = new InMemorySignalingHub();
    const a = new CallSession({ signaling: () => hub.transport(), room: 'rn', name: 'Ada', mediaWaitMs: 0 });
    const b = new CallSession({ signaling: () => hub.transport(), room: 'rn', name: 'Bob', mediaWaitMs: 0 });
    try {
      await a.join();
      await b.join();
      await until(() => b.state.participants[0]?.name === 'Ada', 'B sees Ada');
      const id = a.state.localId;
      let joins = 0;
      b.addEventListener('participant-joined', () => joins++);
      a.rename('Ada L.');
      await until(() => b.state.participants[0]?.name === 'Ada L.', 'B sees the new name');
      expect(b.state.participants.length).to.equal(1);
      expect(b.state.participants[0].id === id && a.state.localId === id, 'the same participant').to.equal(true);
      expect(joins, 'nobody joined again').to.equal(0);
    } finally {
      a.leave();
      b.leave();
    }
  });

  it('a rename the room token forbids shows as the error `forbidden`, and the call goes on', async () => {
    const t: SignalingTransport = {
      async connect() {},
      send(m: ClientMessage) {
        const reply = (msg: unknown) => setTimeout(() => t.onmessage?.(msg as ServerMessage));
        if (m.type === 'join') reply({ v: 1, type: 'welcome', id: 'me', room: 'r', peers: [], resume: 's', epoch: 'e', ack: 0, name: 'Dr. Ada' });
        if (m.type === 'rename') reply({ v: 1, type: 'error', code: 'forbidden', message: 'your room token sets your name' });
      },
      close() {},
    };
    const s = new CallSession({ signaling: () => t, room: 'r', name: 'Ada', mediaWaitMs: 0 });
    await s.join();
    s.rename('Someone else');
    await until(() => s.state.error?.code === 'forbidden', 'the refusal shows');
    expect(s.state.status).to.equal('joined');
    expect(s.state.error?.message).to.equal('your room token sets your name');
    s.leave();
  });
});

describe('CallSession: back on a restarted server that does not list everyone', () => {
  const restarted = async (absentPeerMs: number | undefined, grace?: number) => {
    const { made, s } = twoWelcomesSession({ resumed: true, grace, absentPeerMs });
    const left: string[] = [];
    s.addEventListener('participant-left', (e) => left.push((e as ParticipantEvent).participant.id));
    await s.join();
    for (let i = 0; i < 30 && s.state.participants.length < 2; i++) await sleep(100);
    made[0].drop();
    for (let i = 0; i < 50 && made.length < 2; i++) await sleep(100);
    for (let i = 0; i < 50 && !s.state.signalingConnected; i++) await sleep(100);
    return { s, made, left };
  };

  it('lets go of whoever does not come back in time, and offers afresh to one who comes back later', async () => {
    const { s, made, left } = await restarted(300);
    try {
      expect(s.state.localId).to.equal('a');
      for (let i = 0; i < 30 && !left.length; i++) await sleep(100);
      expect(left, 'Cy goes; Bob, listed, stays').to.deep.equal(['p-cy']);
      expect(s.state.participants.map((p) => p.id)).to.deep.equal(['p-bob']);
      // Cy resumed late: it keeps its old connection and will not offer; we do (a new connection:
      // an offer unlike the first one, which the client may still be resending, unacknowledged).
      const offers = () =>
        made.flatMap((t) => t.sent).flatMap((m) => (m.type === 'signal' && m.to === 'p-cy' && 'description' in m.data && m.data.description.type === 'offer' ? [m.data.description.sdp] : []));
      const before = new Set(offers());
      made[1].joined('p-cy', 'Cy');
      const offered = () => offers().some((sdp) => !before.has(sdp));
      for (let i = 0; i < 50 && !offered(); i++) await sleep(100);
      expect(offered(), 'a new offer to Cy').to.equal(true);
    } finally {
      s.leave();
    }
  });

  it('gives one whose connection is "disconnected" at the deadline a second look: kept if it is back by then, else gone', async () => {
    const { s, left } = await restarted(300);
    try {
      // No real peer behind these links: the connection's state is scripted (a moment without
      // answers to ICE's checks, as on a Wi-Fi hiccup while media flows).
      const pc = s.peerConnections().get('p-cy');
      expect(pc, 'a link to Cy').to.not.equal(undefined);
      let state: RTCPeerConnectionState = 'disconnected';
      Object.defineProperty(pc, 'connectionState', { get: () => state, configurable: true });
      await sleep(1000);
      expect(left, 'not gone at the 300 ms deadline').to.deep.equal([]);
      state = 'connected';
      await sleep(5000);
      expect(left, 'connected again by the second look: kept').to.deep.equal([]);
      expect(s.state.participants.map((p) => p.id).sort()).to.deep.equal(['p-bob', 'p-cy']);
      state = 'disconnected';
      for (let i = 0; i < 80 && !left.length; i++) await sleep(100);
      expect(left, 'still disconnected at the second look: gone').to.deep.equal(['p-cy']);
    } finally {
      s.leave();
    }
  });

  it('by default, gives them the grace period the server names in its welcome', async () => {
    const { s, left } = await restarted(undefined, 300);
    try {
      for (let i = 0; i < 30 && !left.length; i++) await sleep(100);
      expect(left, 'Cy goes after the server’s 300 ms, not 20 s').to.deep.equal(['p-cy']);
    } finally {
      s.leave();
    }
  });

  it('with absentPeerMs Infinity, keeps them all', async () => {
    const { s, left } = await restarted(Infinity);
    try {
      await sleep(500);
      expect(left, 'nobody goes').to.deep.equal([]);
      expect(s.state.participants.map((p) => p.id).sort()).to.deep.equal(['p-bob', 'p-cy']);
    } finally {
      s.leave();
    }
  });
});
