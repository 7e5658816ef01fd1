/**
 * Runs in browsers that refuse capture for real (Chromium `--use-fake-ui-for-media-stream=deny`,
 * Firefox with camera and microphone permissions set to block): see web-test-runner.config.mjs.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';
import type { RtcCamera } from './rtc-camera.js';
import { nextEvent, signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';

describe('<rtc-camera> when the user denies capture', () => {
  it('says access was denied, offers Retry and fires rtc-error permission-denied', async () => {
    const failed = nextEvent(document, 'rtc-error');
    const el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240"></rtc-camera>`);
    try {
      const event = await failed;
      expect(event.code).to.equal('permission-denied');
      expect(el.media.state.status).to.equal('error');
      expect(el.stream).to.equal(null);
      await el.updateComplete;
      const error = el.shadowRoot!.querySelector('[part~="error"]')!;
      expect(error.getAttribute('role')).to.equal('alert');
      expect(error.textContent).to.contain('access was denied');
      expect(error.querySelector('[part~="retry"]')!.textContent).to.contain('Retry');
      expect(el.matches(':state(error)')).to.equal(true);
      await expect(el).to.be.accessible();
      // Retry asks again; still denied, so the same error comes back.
      const again = nextEvent(el, 'rtc-error');
      el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry"]')!.click();
      expect((await again).code).to.equal('permission-denied');
    } finally {
      el.stop();
    }
  });

  it('still joins the call, receive-only', async () => {
    const url = await signalingUrl();
    const failed = nextEvent(document, 'rtc-error');
    const call = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${uniqueRoom('denied')}>
      <rtc-camera></rtc-camera>
    </rtc-call>`);
    try {
      expect((await failed).code).to.equal('permission-denied');
      await until(() => call.session.state.status === 'joined', 'joined without media');
      expect(call.session.media.state.stream).to.equal(null);
      await call.updateComplete;
      expect(call.shadowRoot!.querySelector('[part~="status"]')!.textContent).to.contain('waiting for others');
    } finally {
      call.leave();
    }
  });
});
