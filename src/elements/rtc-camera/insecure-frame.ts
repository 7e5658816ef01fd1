/** Runs in a page that is not a secure context: reports what <rtc-camera> shows to the parent page. */
import '../../index.js';

const camera = document.createElement('rtc-camera');
camera.addEventListener('rtc-error', async (e) => {
  await camera.updateComplete;
  parent.postMessage(
    {
      secure: isSecureContext,
      mediaDevices: typeof navigator.mediaDevices,
      code: e.code,
      shown: camera.shadowRoot!.querySelector('[part~="error"]')?.textContent?.trim() ?? '',
    },
    '*',
  );
});
document.body.append(camera);
