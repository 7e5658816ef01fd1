/**
 * Translation of every element: its own `strings`, the page-wide `setStrings`, the English
 * defaults under both, and `lang`-aware numbers. Also the hidden live regions that tell screen
 * readers what changed, in the page's language.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { InMemorySignalingHub } from '../core/in-memory-signaling.js';
import { LocalMedia } from '../core/local-media.js';
import { globalStrings, setStrings } from '../core/strings.js';
import { until } from '../test-support/call-helpers.js';
import './rtc-call/rtc-call.js';
import './rtc-camera/rtc-camera.js';
import './rtc-chat/rtc-chat.js';
import './rtc-stats/rtc-stats.js';
import type { RtcCall } from './rtc-call/rtc-call.js';
import type { RtcCamera } from './rtc-camera/rtc-camera.js';
import type { RtcChat } from './rtc-chat/rtc-chat.js';
import type { RtcStats } from './rtc-stats/rtc-stats.js';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const said = (el: Element) => el.shadowRoot!.querySelector('[role="status"][aria-live="polite"].sr-only')!.textContent;

afterEach(() => setStrings({ 'rtc-call': null, 'rtc-camera': null, 'rtc-chat': null, 'rtc-stats': null }));

describe('strings', () => {
  it('<rtc-camera>: devices the browser does not name yet (no permission) are numbered in the page’s language', async () => {
    // Before permission some browsers list devices with ids but no labels; capture is refused here.
    const fake = {
      enumerateDevices: async () =>
        [
          { kind: 'videoinput', deviceId: 'cam-a', label: '', groupId: '' },
          { kind: 'videoinput', deviceId: 'cam-b', label: '', groupId: '' },
          { kind: 'audioinput', deviceId: 'mic-a', label: 'Studio mic', groupId: '' },
        ] as MediaDeviceInfo[],
      getUserMedia: async () => {
        throw new DOMException('Permission denied', 'NotAllowedError');
      },
      addEventListener() {},
      removeEventListener() {},
    } as unknown as MediaDevices;
    const el = document.createElement('rtc-camera') as RtcCamera;
    el.media = new LocalMedia({ mediaDevices: fake });
    el.lang = 'ar-EG';
    el.strings = { camera: 'Caméra', unnamedDevice: '{kind} n° {n}' };
    (await fixture(html`<div></div>`)).append(el);
    await until(() => el.shadowRoot!.querySelectorAll('[part~="camera-select"] option').length === 2, 'the cameras are listed');
    const options = (p: string) => [...el.shadowRoot!.querySelectorAll(`[part~="${p}"] option`)].map((o) => o.textContent);
    expect(options('camera-select')).to.deep.equal(['Caméra n° ١', 'Caméra n° ٢']);
    expect(options('microphone-select'), 'a name the browser gives is shown as it is').to.deep.equal(['Studio mic']);
  });

  it('<rtc-call>: its own strings over the page-wide ones over English, re-rendered on change', async () => {
    const call = await fixture<RtcCall>(html`<rtc-call no-auto-join room="r"></rtc-call>`);
    expect(part(call, 'join')!.textContent!.trim()).to.equal('Join');
    expect(part(call, 'status')!.textContent).to.equal('Set a signaling URL and a room to join');

    setStrings({ 'rtc-call': { join: 'Rejoindre', notConfigured: 'Indiquez un serveur et un salon' } });
    await call.updateComplete;
    expect(part(call, 'join')!.textContent!.trim()).to.equal('Rejoindre');
    expect(part(call, 'status')!.textContent).to.equal('Indiquez un serveur et un salon');

    call.strings = { join: 'Entrer' };
    await call.updateComplete;
    expect(part(call, 'join')!.textContent!.trim()).to.equal('Entrer');
    expect(part(call, 'status')!.textContent).to.equal('Indiquez un serveur et un salon');
    await expect(call).to.be.accessible();
  });

  it('setStrings merges error texts and units key by key over earlier calls', () => {
    setStrings({ 'rtc-camera': { errors: { 'permission-denied': 'A' } } });
    setStrings({ 'rtc-camera': { errors: { 'no-device': 'B' } }, 'rtc-stats': { units: { kbps: 'kbit/s' } } });
    setStrings({ 'rtc-stats': { units: { Mbps: 'Mbit/s' } } });
    expect(JSON.stringify(globalStrings('rtc-camera')?.errors)).to.equal('{"permission-denied":"A","no-device":"B"}');
    expect(JSON.stringify(globalStrings('rtc-stats')?.units)).to.equal('{"kbps":"kbit/s","Mbps":"Mbit/s"}');
  });

  it('<rtc-camera>: translated buttons, and muting announced in the hidden live region', async () => {
    const cam = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240"></rtc-camera>`);
    try {
      await until(() => cam.media.state.status === 'live', 'the camera is live');
      await cam.updateComplete;
      expect(part(cam, 'mute')!.textContent!.trim()).to.equal('Mute');
      setStrings({ 'rtc-camera': { mute: 'Stummschalten', mutedNow: 'Mikrofon stumm' } });
      cam.strings = { cameraOff: 'Kamera aus' };
      await cam.updateComplete;
      expect(part(cam, 'mute')!.textContent!.trim()).to.equal('Stummschalten');
      expect(part(cam, 'camera')!.textContent!.trim()).to.equal('Kamera aus');

      // By keyboard: Tab reaches the Mute button first, with a visible focus ring; Space presses it.
      // NOTE: sendKeys hangs with the puppeteer-driven Firefox here: there, focus and click instead.
      const keys = !navigator.userAgent.includes('Firefox');
      (document.activeElement as HTMLElement | null)?.blur();
      if (keys) await sendKeys({ press: 'Tab' });
      else part(cam, 'mute')!.focus();
      expect(cam.shadowRoot!.activeElement).to.equal(part(cam, 'mute'));
      expect(getComputedStyle(part(cam, 'mute')!).outlineStyle).to.equal('solid');
      if (keys) await sendKeys({ press: 'Space' });
      else part(cam, 'mute')!.click();
      await until(() => said(cam) === 'Mikrofon stumm', 'the mute announced');
      expect(cam.muted).to.be.true;
      await expect(cam).to.be.accessible();
    } finally {
      cam.stop();
    }
  });

  it('<rtc-chat>: translated field and button, per element and page-wide', async () => {
    const chat = await fixture<RtcChat>(html`<rtc-chat></rtc-chat>`);
    expect(part(chat, 'input')!.getAttribute('placeholder')).to.equal('Join the call to chat');
    setStrings({ 'rtc-chat': { placeholderOutside: 'Rejoignez l’appel pour discuter', send: 'Envoyer' } });
    await chat.updateComplete;
    expect(part(chat, 'input')!.getAttribute('placeholder')).to.equal('Rejoignez l’appel pour discuter');
    expect(part(chat, 'send')!.textContent).to.equal('Envoyer');
    chat.strings = { send: 'Senden' };
    await chat.updateComplete;
    expect(part(chat, 'send')!.textContent).to.equal('Senden');
    await expect(chat).to.be.accessible();
  });

  it('<rtc-stats>: page-wide strings, and numbers follow the closest lang (through shadow roots too)', async () => {
    const root = await fixture<HTMLDivElement>(html`<div lang="en"><rtc-stats></rtc-stats></div>`);
    const stats = root.querySelector<RtcStats>('rtc-stats')!;
    stats.sample = { timestamp: 1, interval: 1000, sendBitrate: 1_450_000, receiveBitrate: 812_000, quality: null, peers: [] };
    await stats.updateComplete;
    expect(part(stats, 'send-bitrate')!.textContent).to.equal('1.5 Mbps');

    setStrings({ 'rtc-stats': { units: { Mbps: 'Mbit/s' } as never } });
    await stats.updateComplete;
    expect(part(stats, 'send-bitrate')!.textContent).to.equal('1.5 Mbit/s');
    expect(part(stats, 'receive-bitrate')!.textContent).to.equal('812 kbps'); // the other units stay

    stats.setAttribute('lang', 'de'); // its own lang re-renders at once
    await until(() => part(stats, 'send-bitrate')!.textContent === '1,5 Mbit/s', 'German decimals');
    stats.removeAttribute('lang');
    root.lang = 'fr';
    stats.requestUpdate();
    await stats.updateComplete;
    expect(part(stats, 'send-bitrate')!.textContent).to.equal('1,5 Mbit/s');
    await expect(stats).to.be.accessible();
  });
});

describe('live region of <rtc-call>', () => {
  it('announces joining, a participant joining and leaving, in the strings given', async () => {
    const hub = new InMemorySignalingHub();
    setStrings({ 'rtc-call': { participantJoined: '{name} est arrivé', participantLeft: '{name} est parti', withOne: 'Dans « {room} » avec {count} autre' } });
    const root = await fixture<HTMLDivElement>(html`<div lang="fr">
      <rtc-call room="annonces" name="Ada" .signalingTransport=${() => hub.transport()}>
        <rtc-camera width="160" height="120"></rtc-camera>
      </rtc-call>
    </div>`);
    const ada = root.querySelector<RtcCall>('rtc-call')!;
    let bob: RtcCall | undefined;
    try {
      await until(() => ada.session.state.status === 'joined', 'Ada joined');
      await until(() => /waiting for others/.test(said(ada)!), 'joining announced');
      bob = document.createElement('rtc-call');
      bob.room = 'annonces';
      bob.name = 'Bob';
      bob.signalingTransport = () => hub.transport();
      bob.append(Object.assign(document.createElement('rtc-camera'), { width: 160, height: 120 }));
      document.body.append(bob);
      await until(() => said(ada) === 'Bob est arrivé', 'Bob’s arrival announced');
      await until(() => part(ada, 'status')!.textContent === 'Dans « annonces » avec 1 autre', 'the status line translated');
      await expect(ada).to.be.accessible();
      bob.leave();
      await until(() => said(ada) === 'Bob est parti', 'Bob’s leaving announced');
    } finally {
      bob?.leave();
      bob?.remove();
      ada.leave();
    }
  });
});
