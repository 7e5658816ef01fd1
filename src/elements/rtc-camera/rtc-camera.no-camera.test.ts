/**
 * Runs in Chromium launched with a fake microphone and no camera at all
 * (`--use-fake-device-for-media-stream=device-count=0`): see web-test-runner.config.mjs.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCamera } from './rtc-camera.js';
import { nextEvent, until } from '../../test-support/call-helpers.js';

describe('<rtc-camera> on a machine without a camera', () => {
  it('says no camera was found (a real NotFoundError) and goes on with the microphone', async () => {
    const failed = nextEvent(document, 'rtc-error');
    const el = await fixture<RtcCamera>(html`<rtc-camera></rtc-camera>`);
    try {
      const event = await failed;
      expect(event.code).to.equal('no-device');
      await until(() => el.media.state.status === 'live', 'microphone live');
      expect(el.stream!.getAudioTracks().length).to.equal(1);
      expect(el.stream!.getVideoTracks().length).to.equal(0);
      await el.updateComplete;
      const error = el.shadowRoot!.querySelector('[part~="error"]')!;
      expect(error.textContent).to.contain('No camera was found. Connect one, then retry.');
      expect(error.querySelector('[part~="retry"]')).to.exist;
      expect(el.shadowRoot!.querySelector('[part~="placeholder"]')!.textContent).to.contain('No camera');
      await expect(el).to.be.accessible();
    } finally {
      el.stop();
    }
  });
});
