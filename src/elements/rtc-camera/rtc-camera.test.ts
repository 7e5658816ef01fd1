import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../index.js';
import type { RtcCamera } from './rtc-camera.js';
import { nextEvent, until } from '../../test-support/call-helpers.js';

const live = (el: RtcCamera) => until(() => el.media.state.status === 'live', 'camera live');

describe('<rtc-camera> standalone', () => {
  let el: RtcCamera | undefined;
  afterEach(() => el?.stop());

  it('captures at the requested size and rate and previews it', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>`);
    await live(el);
    const settings = el.stream!.getVideoTracks()[0].getSettings();
    expect([settings.width, settings.height, Math.round(settings.frameRate!)]).to.deep.equal([320, 240, 15]);
    expect(el.stream!.getAudioTracks().length).to.equal(1);
    await el.updateComplete;
    const video = el.shadowRoot!.querySelector<HTMLVideoElement>('[part~="video"]')!;
    await until(() => video.videoWidth > 0, 'preview plays');
    expect(video.videoWidth).to.equal(320);
    await expect(el).to.be.accessible();
  });

  it('captures audio only with no-video and shows the placeholder', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-video></rtc-camera>`);
    await live(el);
    expect(el.stream!.getVideoTracks().length).to.equal(0);
    expect(el.stream!.getAudioTracks().length).to.equal(1);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~="placeholder"]')!.textContent).to.contain('Video off');
  });

  it('shows an impossible device as an error with Retry, and fires rtc-error', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio device-id="no-such-camera"></rtc-camera>`);
    const event = await nextEvent(el, 'rtc-error');
    expect(event.code).to.equal('overconstrained');
    await el.updateComplete;
    const error = el.shadowRoot!.querySelector('[part~="error"]')!;
    expect(error.textContent).to.contain('No device can satisfy');
    expect(error.querySelector('button')!.textContent).to.contain('Retry');
    await expect(el).to.be.accessible();
    // Dropping the impossible constraint recovers.
    el.deviceId = undefined;
    await live(el);
  });

  it('stops the camera when removed', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    await live(el);
    const track = el.stream!.getVideoTracks()[0];
    el.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(track.readyState).to.equal('ended');
  });
});
