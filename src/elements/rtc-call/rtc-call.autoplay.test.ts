import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { PROTOCOL_VERSION } from '../../protocol/messages.js';
import { signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';
import { callRoom, videos } from '../../test-support/room.js';

describe('<rtc-call> autoplay and page lifecycle', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('offers "Start audio" when the browser blocks sound, shows the video muted meanwhile, and starts sound on click', async () => {
    // The test browsers allow autoplay (--autoplay-policy=no-user-gesture-required, media.autoplay.default=0),
    // so the refusal a real page meets without a user gesture is stubbed here: play() with sound
    // rejects with NotAllowedError exactly as Chromium and Safari do; muted play() is allowed.
    const realPlay = HTMLMediaElement.prototype.play;
    let blocked = 0;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      if (!this.muted) {
        blocked++;
        return Promise.reject(new DOMException("play() failed because the user didn't interact", 'NotAllowedError'));
      }
      return realPlay.call(this);
    };
    try {
      calls = await callRoom(['Ada', 'Bob']);
    } finally {
      HTMLMediaElement.prototype.play = realPlay;
    }
    const [ada] = calls;
    expect(blocked).to.be.greaterThan(0);
    await ada.updateComplete;
    const button = ada.shadowRoot!.querySelector<HTMLButtonElement>('[part~="start-audio"]');
    expect(button, 'a Start audio button').to.exist;
    expect(button!.textContent!.trim()).to.equal('Start audio');
    const [video] = videos(ada);
    expect(video.muted, 'video shown muted meanwhile').to.equal(true);
    // Its muted play() may start a moment after the tile renders (a CI run caught it paused).
    await until(() => !video.paused, 'the muted video plays');
    await expect(ada).to.be.accessible();

    // From the keyboard: the button goes away, and focus stays in the call (on Leave), not on the page.
    button!.focus();
    await sendKeys({ press: 'Enter' });
    await ada.updateComplete;
    await ada.updateComplete;
    expect(ada.shadowRoot!.querySelector('[part~="start-audio"]')).to.equal(null);
    expect(ada.shadowRoot!.activeElement?.getAttribute('part') ?? `outside: ${document.activeElement?.localName}`).to.equal('button leave');
    await until(() => !video.muted && !video.paused, 'sound on and playing');
  });

  it('says goodbye on pagehide, so the others drop the tile at once', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('pagehide');
    // The observer speaks the protocol directly, so only the element under test hears the pagehide below.
    const observer = new WebSocket(url);
    const messages: { type: string; id?: string }[] = [];
    observer.onmessage = (e) => messages.push(JSON.parse(e.data));
    await new Promise((r) => (observer.onopen = r));
    observer.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'join', room, name: 'Observer' }));
    try {
      const call = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${room} name="Ada"></rtc-call>`);
      calls.push(call);
      await until(() => messages.some((m) => m.type === 'peer-joined'), 'observer sees ada');
      const id = call.session.state.localId;
      // A synthetic pagehide: a headless test cannot close its own tab; the listener is the same.
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      expect(call.session.state.status).to.equal('left');
      const left = await until(() => messages.find((m) => m.type === 'peer-left'), 'observer told ada left', 2000);
      expect(left!.id).to.equal(id);
      // No auto-join behind the goodbye while the page is hidden…
      await call.updateComplete;
      await new Promise((r) => setTimeout(r, 200));
      expect(call.session.state.status).to.equal('left');
      expect(messages.filter((m) => m.type === 'peer-joined').length).to.equal(1);
      // …and back from the back/forward cache it joins again.
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      await until(() => messages.filter((m) => m.type === 'peer-joined').length === 2, 'ada rejoins after pageshow');
    } finally {
      observer.close();
    }
  });
});
