import { expect, fixture, html } from '@open-wc/testing';
import '../index.js';
import type { RtcCall } from '../elements/rtc-call/rtc-call.js';
import type { ServerMessage } from '../protocol/messages.js';
import { InMemorySignalingHub } from './in-memory-signaling.js';
import { nextEvent, statSum, until } from '../test-support/call-helpers.js';
import { videos } from '../test-support/room.js';

describe('InMemorySignalingHub: live calls in one page with no server', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('connects calls through the hub with the server\'s room semantics, and refuses a full room', async () => {
    const hub = new InMemorySignalingHub(2);
    const t = () => hub.transport();
    const root = await fixture(html`<div>
      ${['Ada', 'Bob'].map(
        (name) => html`<rtc-call room="story" name=${name} .signalingTransport=${t}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
        </rtc-call>`,
      )}
      <rtc-call no-auto-join room="story" name="Cy" .signalingTransport=${t}></rtc-call>
    </div>`);
    calls = [...root.querySelectorAll('rtc-call')];
    const [ada, bob, cy] = calls;
    await until(() => [ada, bob].every((c) => videos(c)[0]?.videoWidth === 320), 'both see each other');
    expect(ada.shadowRoot!.querySelector('[part~="name"]')!.textContent).to.contain('Bob');
    expect(hub.rooms().get('story')).to.equal(2);

    const error = nextEvent(cy, 'rtc-error');
    void cy.join();
    expect((await error).code).to.equal('room-full');

    // A blip that drops every connection does not stop media that flows peer to peer, and the
    // calls resume as the same participants (the hub keeps their slots, like the server's grace).
    const idBefore = ada.session.state.localId;
    let sawReconnecting = false;
    ada.session.addEventListener('change', () => (sawReconnecting ||= ada.session.state.reconnecting));
    hub.disconnectAll();
    await until(() => sawReconnecting, 'ada reconnecting');
    const pc = [...ada.session.peerConnections().values()][0];
    const before = await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video');
    await until(async () => (await statSum(pc, 'inbound-rtp', 'framesDecoded', 'video')).value > before.value + 5, 'frames keep coming');
    await until(() => !ada.session.state.reconnecting && ada.session.state.signalingConnected, 'ada back');
    expect(ada.session.state.localId).to.equal(idBefore);
    expect(hub.rooms().get('story')).to.equal(2);
    // Signaling works again: a renegotiation (ICE restart) completes.
    ada.session.restartIce();
    await until(() => pc.signalingState === 'stable' && pc.connectionState === 'connected', 'renegotiated');
    bob.leave();
  });

  it('keeps a connection open after a leave, as the server does: it joins another room as a new participant', async () => {
    const hub = new InMemorySignalingHub();
    const open = async () => {
      const t = hub.transport();
      const got: ServerMessage[] = [];
      t.onmessage = (m) => got.push(m);
      await t.connect();
      return { t, got };
    };
    const take = async <T extends ServerMessage['type']>(c: { got: ServerMessage[] }, type: T) => {
      const m = await until(() => c.got.find((x) => x.type === type), type);
      c.got.splice(c.got.indexOf(m!), 1);
      return m as Extract<ServerMessage, { type: T }>;
    };
    const media = { media: { audio: true, video: false, screen: false } };
    const [mover, inA, inB] = [await open(), await open(), await open()];
    try {
      inA.t.send({ v: 1, type: 'join', room: 'a' });
      const wa = await take(inA, 'welcome');
      mover.t.send({ v: 1, type: 'join', room: 'a' });
      const w1 = await take(mover, 'welcome');
      mover.t.send({ v: 1, type: 'signal', to: wa.id, data: media, seq: 1 });
      await take(inA, 'signal');
      mover.t.send({ v: 1, type: 'leave' });
      expect((await take(inA, 'peer-left')).id).to.equal(w1.id);

      inB.t.send({ v: 1, type: 'join', room: 'b' });
      const wb = await take(inB, 'welcome');
      mover.t.send({ v: 1, type: 'join', room: 'b' });
      const w2 = await take(mover, 'welcome');
      expect(w2.id).to.not.equal(w1.id);
      expect(w2.peers.map((p) => p.id)).to.deep.equal([wb.id]);
      // Numbered from 1 again: not taken for a duplicate of what it sent in room a.
      mover.t.send({ v: 1, type: 'signal', to: wb.id, data: media, seq: 1 });
      expect((await take(inB, 'signal')).from).to.equal(w2.id);
      expect(hub.rooms()).to.deep.equal(new Map([['a', 1], ['b', 2]]));
      expect(inA.got.filter((m) => JSON.stringify(m).includes(w2.id))).to.deep.equal([], 'room a hears nothing of its new self');
    } finally {
      for (const c of [mover, inA, inB]) c.t.close();
    }
  });
});
