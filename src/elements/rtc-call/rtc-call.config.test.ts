import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { InMemorySignalingHub } from '../../core/in-memory-signaling.js';
import { signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';

const button = (call: RtcCall) => call.shadowRoot!.querySelector<HTMLButtonElement>('[part~="controls"] button:not([part~="start-audio"])')!;

describe('<rtc-call>: settings changed while in a call, or after a failed join', () => {
  const calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('joins once a failed join’s server is corrected', async function () {
    this.timeout(30000);
    const url = await signalingUrl();
    // Port 9 on loopback: nothing listens, the connection is refused at once.
    const call = await fixture<RtcCall>(html`<rtc-call signaling="ws://127.0.0.1:9/signal" room=${uniqueRoom('fix')}></rtc-call>`);
    calls.push(call);
    await until(() => call.session.state.status === 'error', 'the join fails', 20000);
    call.signaling = url;
    await until(() => call.session.state.status === 'joined', () => `joined with the corrected URL (${call.session.state.status})`);
  });

  it('a room change says rtc-left for the old room before rtc-joined for the new one', async () => {
    const url = await signalingUrl();
    const [r1, r2] = [uniqueRoom('one'), uniqueRoom('two')];
    const call = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${r1}></rtc-call>`);
    calls.push(call);
    const seen: string[] = [];
    call.addEventListener('rtc-joined', (e) => seen.push(`joined ${e.room}`));
    call.addEventListener('rtc-left', (e) => seen.push(`left ${e.room}`));
    await until(() => seen.length === 1, 'joined the first room');
    call.room = r2;
    await until(() => seen.length === 3, () => seen.join(' | '));
    call.leave();
    await until(() => seen.length === 4, () => seen.join(' | '));
    expect(seen).to.deep.equal([`joined ${r1}`, `left ${r1}`, `joined ${r2}`, `left ${r2}`]);
  });

  it('clearing the room leaves (the camera stops), and setting one joins again', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('clear');
    const call = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${room}><rtc-camera no-video></rtc-camera></rtc-call>`);
    calls.push(call);
    const cam = call.querySelector('rtc-camera')!;
    await until(() => call.session.state.status === 'joined' && cam.media.state.status === 'live', 'joined');
    const errors: string[] = [];
    call.addEventListener('rtc-error', (e) => errors.push(e.code));
    call.room = '';
    await until(() => call.session.state.status === 'left', 'left');
    expect(cam.media.state.status, 'the microphone is released').to.equal('stopped');
    expect(errors, 'no error: leaving is what was asked').to.deep.equal([]);
    call.room = room;
    await until(() => call.session.state.status === 'joined', 'joined again');
  });

  it('a new signalingTransport while joined moves the call onto it', async () => {
    const [first, second] = [new InMemorySignalingHub(), new InMemorySignalingHub()];
    const call = await fixture<RtcCall>(html`<rtc-call room="moved" name="Ada" .signalingTransport=${() => first.transport()}></rtc-call>`);
    const bob = await fixture<RtcCall>(html`<rtc-call room="moved" name="Bob" .signalingTransport=${() => second.transport()}></rtc-call>`);
    calls.push(call, bob);
    await until(() => call.session.state.status === 'joined' && bob.session.state.status === 'joined', 'both joined, apart');
    expect(bob.session.state.participants.length).to.equal(0);
    call.signalingTransport = () => second.transport();
    await until(() => bob.session.state.participants.some((p) => p.name === 'Ada'), 'Bob sees Ada on the second channel');
  });

  it('keeps keyboard focus on its button when Join becomes Leave and back', async () => {
    const url = await signalingUrl();
    const call = await fixture<RtcCall>(html`<rtc-call no-auto-join signaling=${url} room=${uniqueRoom('focus')}></rtc-call>`);
    calls.push(call);
    button(call).focus();
    expect(button(call).getAttribute('part')).to.contain('join');
    await sendKeys({ press: 'Enter' });
    await until(() => call.session.state.status === 'joined', 'joined');
    await call.updateComplete;
    expect(call.shadowRoot!.activeElement?.getAttribute('part')).to.equal('button leave');
    await sendKeys({ press: 'Enter' });
    await until(() => call.session.state.status === 'left', 'left');
    await call.updateComplete;
    expect(call.shadowRoot!.activeElement?.getAttribute('part')).to.equal('button join');
  });

  it('an equal new iceServers array (a framework re-render) does not rejoin; a different one does', async function () {
    this.timeout(30000);
    const url = await signalingUrl();
    const room = uniqueRoom();
    const servers = () => [{ urls: 'stun:127.0.0.1:3478' }]; // a new literal per render, as JSX gives
    const root = await fixture(html`<div>
      <rtc-call signaling=${url} room=${room} name="Ada" .iceServers=${servers()}></rtc-call>
      <rtc-call signaling=${url} room=${room} name="Bob"></rtc-call>
    </div>`);
    const [a, b] = [...root.querySelectorAll<RtcCall>('rtc-call')];
    calls.push(a, b);
    await until(() => a.session.state.participants[0]?.connectionState === 'connected', 'connected');
    const before = [...a.session.peerConnections().values()][0];
    let left = 0;
    a.addEventListener('rtc-left', () => left++);
    b.addEventListener('rtc-participant-left', () => left++);
    a.iceServers = servers();
    await a.updateComplete;
    await new Promise((r) => setTimeout(r, 500));
    expect([...a.session.peerConnections().values()][0] === before, 'the same connection').to.equal(true);
    expect(left, 'nobody left').to.equal(0);
    a.iceServers = [{ urls: 'stun:127.0.0.1:3479' }];
    await until(() => left === 2, 'a real change rejoins (rtc-left, and Bob sees Ada leave)');
  });
});
