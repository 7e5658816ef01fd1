/**
 * The call core at the edges of signaling, as scripted servers (pure logic: no media) and, for
 * names, the real server: a room token that fails once or never comes, a server that accepts
 * the socket and never answers, a socket that stops carrying frames without closing, joining
 * again after signaling gave up, change events while people leave, a description the browser
 * refuses, and display names as users type them.
 */
import { expect } from '@open-wc/testing';
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';
import { CallSession } from './call-session.js';
import { InMemorySignalingHub } from './in-memory-signaling.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';
import { signalingUrl, uniqueRoom, until } from '../test-support/call-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One connection to a scripted server: it welcomes a join (with `peers`) unless `mute` (it then
 * accepts the socket and never says anything), records what it is sent, and can be dropped. With
 * `tokenRequired`, a join without a token is closed with 4401, as the real server with a secret.
 */
class ScriptedConn implements SignalingTransport {
  onmessage?: (m: ServerMessage) => void;
  onclose?: (i: TransportClose) => void;
  sent: ClientMessage[] = [];
  constructor(readonly opts: { mute?: boolean; peers?: { id: string; name: string }[]; tokenRequired?: boolean; up?: () => boolean } = {}) {}
  async connect(): Promise<void> {
    if (this.opts.up && !this.opts.up()) throw new Error('unreachable');
  }
  send(m: ClientMessage): void {
    this.sent.push(m);
    if (this.opts.mute || m.type !== 'join') return;
    if (this.opts.tokenRequired && !m.token) {
      setTimeout(() => this.onclose?.({ code: 4401, reason: 'room token required' }));
      return;
    }
    const welcome = { v: 1, type: 'welcome', id: 'me', room: 'r', peers: this.opts.peers ?? [], resume: 's', resumed: !!m.resume, epoch: 'e', ack: 0 };
    setTimeout(() => this.onmessage?.(welcome as unknown as ServerMessage));
  }
  close(): void {}
  drop(): void {
    this.onclose?.({ code: 1006, reason: '' });
  }
}

/** A scripted server that needs a room token and can be made unreachable. */
class TokenServer {
  up = true;
  made: ScriptedConn[] = [];
  factory = () => {
    const c = new ScriptedConn({ tokenRequired: true, up: () => this.up });
    this.made.push(c);
    return c;
  };
}

describe('CallSession: signaling reconnection and room tokens', () => {
  it('a getToken() that fails once while reconnecting does not end the call for good', async () => {
    const srv = new TokenServer();
    let calls = 0;
    const s = new CallSession({
      signaling: srv.factory,
      room: 'r',
      mediaWaitMs: 0,
      // The app's token endpoint has a blip on the reconnection (e.g. the network just changed).
      getToken: async () => {
        calls++;
        if (calls === 2) throw new Error('token endpoint: 502');
        return 'tok';
      },
    });
    await s.join();
    expect(s.state.status).to.equal('joined');
    srv.made[0].drop();
    await sleep(3000);
    expect(`${s.state.signalingConnected} ${s.state.error?.code ?? 'no error'} getToken calls=${calls}`).to.equal('true no error getToken calls=3');
    s.leave();
  });

  it('a getToken() that never settles while reconnecting still gives up after reconnectTimeoutMs', async () => {
    const srv = new TokenServer();
    let calls = 0;
    const s = new CallSession({
      signaling: srv.factory,
      room: 'r',
      mediaWaitMs: 0,
      reconnectTimeoutMs: 1000,
      getToken: () => (++calls === 1 ? Promise.resolve('tok') : new Promise<string>(() => {})),
    });
    await s.join();
    srv.made[0].drop();
    await sleep(4000);
    expect(`reconnecting=${s.state.reconnecting} error=${s.state.error?.code ?? 'none'}`).to.equal('reconnecting=false error=signaling-lost');
    s.leave();
  });

  it('join() after signaling gave up joins again', async () => {
    const srv = new TokenServer();
    const s = new CallSession({ signaling: srv.factory, room: 'r', mediaWaitMs: 0, reconnectTimeoutMs: 500, token: 'tok' });
    await s.join();
    srv.up = false;
    srv.made[0].drop();
    for (let i = 0; i < 60 && !s.state.error; i++) await sleep(100);
    expect(s.state.error?.code).to.equal('signaling-lost');
    srv.up = true;
    const before = srv.made.length;
    await s.join();
    await sleep(300);
    expect(`connections made by join()=${srv.made.length - before} signalingConnected=${s.state.signalingConnected}`).to.equal(
      'connections made by join()=1 signalingConnected=true',
    );
    s.leave();
  });
});

describe('CallSession: participants as someone leaves', () => {
  it('no change event shows a participant who left as "closed" (one change per leave)', async () => {
    const hub = new InMemorySignalingHub();
    const a = new CallSession({ signaling: () => hub.transport(), room: 'd', name: 'A', mediaWaitMs: 0 });
    const b = new CallSession({ signaling: () => hub.transport(), room: 'd', name: 'B', mediaWaitMs: 0 });
    await a.join();
    await b.join();
    for (let i = 0; i < 100 && a.state.participants[0]?.connectionState !== 'connected'; i++) await sleep(100);
    const seen: string[] = [];
    a.addEventListener('change', () => seen.push(a.state.participants.map((p) => `${p.name}:${p.connectionState}`).join(',') || '-'));
    b.leave();
    for (let i = 0; i < 30 && a.state.participants.length; i++) await sleep(100);
    expect(seen.join(' | ')).to.equal('-');
    a.leave();
  });

  it('leave() with two participants fires no change with closed participants', async () => {
    const hub = new InMemorySignalingHub();
    const mk = (n: string) => new CallSession({ signaling: () => hub.transport(), room: 'd2', name: n, mediaWaitMs: 0 });
    const [a, b, c] = [mk('A'), mk('B'), mk('C')];
    await a.join();
    await b.join();
    await c.join();
    for (let i = 0; i < 100 && !(a.state.participants.length === 2 && a.state.participants.every((p) => p.connectionState === 'connected')); i++) await sleep(100);
    const seen: string[] = [];
    a.addEventListener('change', () => seen.push(`${a.state.status}[${a.state.participants.map((p) => `${p.name}:${p.connectionState}`).join(',')}]`));
    a.leave();
    expect(seen.join(' | ')).to.equal('left[]');
    b.leave();
    c.leave();
  });
});

describe('CallSession: a server that stops answering', () => {
  it('reconnection to a server that accepts the socket but never welcomes gives up after reconnectTimeoutMs', async () => {
    const made: ScriptedConn[] = [];
    const s = new CallSession({
      signaling: () => {
        const t = new ScriptedConn({ mute: made.length > 0 });
        made.push(t);
        return t;
      },
      room: 'r',
      mediaWaitMs: 0,
      reconnectTimeoutMs: 1000,
    });
    await s.join();
    made[0].drop();
    await sleep(4000);
    expect(`attempts=${made.length - 1} reconnecting=${s.state.reconnecting} error=${s.state.error?.code ?? 'none'}`).to.equal(
      'attempts=1 reconnecting=false error=signaling-lost',
    );
    s.leave();
  });

  it('a first join to a server that accepts the socket but never welcomes does not stay "connecting" for ever', async function () {
    this.timeout(40000);
    const s = new CallSession({ signaling: () => new ScriptedConn({ mute: true }), room: 'r', mediaWaitMs: 0 });
    void s.join();
    await until(() => s.state.status === 'error', 'the join fails', 30000);
    expect(s.state.error?.code).to.equal('signaling-timeout');
    s.leave();
  });

  it('a socket that silently stops carrying frames (half-open after a network change) is noticed', async function () {
    this.timeout(40000);
    // The socket stays "open" but nothing goes through any more either way, and no close comes
    // (a Wi-Fi to cellular switch that the browser does not report on an established socket).
    const made: ScriptedConn[] = [];
    let dead = false;
    const s = new CallSession({
      signaling: () => {
        const t = new ScriptedConn({ mute: made.length > 0, peers: [{ id: 'p-bob', name: 'Bob' }] });
        made.push(t);
        const send = t.send.bind(t);
        t.send = (m) => (dead ? void t.sent.push(m) : send(m));
        return t;
      },
      room: 'r',
      mediaWaitMs: 0,
    });
    await s.join();
    dead = true;
    // From now on every signal (our media state, offer and candidates to Bob) is lost.
    await until(() => s.state.reconnecting || !s.state.signalingConnected, 'the dead socket is noticed', 20000).catch(() => {});
    const signals = made[0].sent.filter((m) => m.type === 'signal').length;
    expect(`reconnecting=${s.state.reconnecting} signalingConnected=${s.state.signalingConnected} (frames sent into the dead socket: ${made[0].sent.length}, signals ${signals})`).to.match(/^reconnecting=true|signalingConnected=false/);
    s.leave();
  });
});

describe('CallSession: a negotiation that fails', () => {
  it('an offer the browser refuses is reported in the call state, not only on the console', async () => {
    let t!: ScriptedConn;
    const s = new CallSession({
      signaling: () => (t = new ScriptedConn({ peers: [{ id: 'p-bob', name: 'Bob' }] })),
      room: 'r',
      mediaWaitMs: 0,
    });
    // Bob is there first, so he would offer; here his "offer" is one this browser cannot apply.
    await s.join();
    await sleep(200);
    t.onmessage?.({ v: 1, type: 'signal', from: 'p-bob', seq: 1, data: { description: { type: 'offer', sdp: 'v=0\r\nnot an sdp\r\n' } } } as unknown as ServerMessage);
    await sleep(3000);
    const p = s.state.participants[0];
    expect(`error=${s.state.error?.code ?? 'none'} bob=${p?.connectionState}`).to.not.match(/^error=none/);
    s.leave();
  });
});

describe('CallSession: display names as users type them', () => {
  for (const [what, name] of [
    ['65 characters', 'Maria Fernanda de los Ángeles Rodríguez-Castellanos y Villanueva Sr'],
    ['a trailing newline (pasted)', 'Ada Lovelace\n'],
  ] as const) {
    it(`a name with ${what} still joins`, async () => {
      const s = new CallSession({ signaling: await signalingUrl(), room: uniqueRoom('g'), name, mediaWaitMs: 0 });
      await s.join();
      const st = s.state;
      s.leave();
      expect(`${name.length} ${st.status} ${st.error?.code ?? ''} ${st.error?.message ?? ''}`).to.equal(`${name.length} joined  `);
    });
  }
});
