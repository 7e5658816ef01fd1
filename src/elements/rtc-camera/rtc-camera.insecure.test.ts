/**
 * A real insecure context: the test server loaded as http://insecure.test (mapped to 127.0.0.1 by
 * the browser's launch options), where browsers leave `navigator.mediaDevices` undefined.
 */
import { expect } from '@open-wc/testing';

interface Report {
  secure: boolean;
  mediaDevices: string;
  code: string;
  shown: string;
}

describe('<rtc-camera> on a page that is not a secure context', () => {
  it('explains that camera access needs HTTPS, and fires rtc-error insecure-context', async () => {
    const frame = document.createElement('iframe');
    const report = new Promise<Report>((resolve) =>
      window.addEventListener('message', (e) => e.source === frame.contentWindow && resolve(e.data as Report)),
    );
    frame.src = new URL('./insecure-frame.html', import.meta.url).href.replace(/\/\/[^/:]+/, '//insecure.test');
    document.body.append(frame);
    try {
      const r = await report;
      expect(r.secure, 'the frame is not a secure context').to.equal(false);
      expect(r.mediaDevices).to.equal('undefined');
      expect(r.code).to.equal('insecure-context');
      expect(r.shown).to.contain('Camera access needs a secure page (HTTPS or localhost).');
      expect(r.shown).to.contain('Retry');
    } finally {
      frame.remove();
    }
  });
});
