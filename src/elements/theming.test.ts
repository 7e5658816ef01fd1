/**
 * What theming promises of every element: `hidden` hides it, and its text stays readable in the
 * dark scheme, on its own surface (a light page need not follow the OS) and on the danger colour.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../index.js';
import { InMemorySignalingHub } from '../core/in-memory-signaling.js';
import type { RtcCall } from './rtc-call/rtc-call.js';
import type { RtcCamera } from './rtc-camera/rtc-camera.js';
import { until } from '../test-support/call-helpers.js';

/** WCAG contrast ratio of two computed `rgb()` colours. */
function contrast(fg: string, bg: string): number {
  const lum = (c: string) => {
    const [r, g, b] = c.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

const readable = (el: Element, on: Element = el) => contrast(getComputedStyle(el).color, getComputedStyle(on).backgroundColor);

// Emulating the colour scheme needs CDP: Chromium only.
const chromium = navigator.userAgent.includes('Chrome');

describe('theming', () => {
  afterEach(() => (chromium ? emulateMedia({ colorScheme: 'light' }) : undefined));

  for (const tag of ['rtc-call', 'rtc-camera', 'rtc-chat', 'rtc-stats']) {
    it(`<${tag} hidden> is not shown (its :host display does not win over hidden)`, async () => {
      const root = await fixture(html`<div></div>`);
      const el = Object.assign(document.createElement(tag), { hidden: true });
      el.setAttribute('no-auto-join', '');
      el.setAttribute('no-audio', '');
      el.setAttribute('no-video', '');
      root.append(el);
      await (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
      expect(`${getComputedStyle(el).display} ${el.offsetHeight}px`).to.equal('none 0px');
    });
  }

  it('in the dark scheme, standalone elements on a white page keep readable text, and so does text on the danger colour', async function () {
    if (!chromium) return this.skip();
    await emulateMedia({ colorScheme: 'dark' });
    const hub = new InMemorySignalingHub();
    const root = await fixture(html`<div style="background: #fff">
      <rtc-stats></rtc-stats>
      <rtc-camera no-video muted></rtc-camera>
      <rtc-call room="dark" no-auto-join .signalingTransport=${() => hub.transport()}></rtc-call>
    </div>`);
    const stats = root.querySelector('rtc-stats')!;
    const camera = root.querySelector<RtcCamera>('rtc-camera')!;
    const call = root.querySelector<RtcCall>('rtc-call')!;
    await call.join();
    await until(() => call.session.state.status === 'joined', 'joined');
    await until(() => camera.shadowRoot!.querySelector('[part~="muted-badge"]'), 'the muted badge shows');
    await call.updateComplete;
    const leave = call.shadowRoot!.querySelector('[part~="leave"]')!;
    const badge = camera.shadowRoot!.querySelector('[part~="muted-badge"]')!;
    const ratios = {
      stats: readable(stats.shadowRoot!.querySelector('[part~="send-bitrate"]')!, stats),
      camera: readable(camera.shadowRoot!.querySelector('label') ?? camera, camera),
      leave: readable(leave),
      mutedBadge: readable(badge),
    };
    camera.stop();
    call.leave();
    for (const [what, ratio] of Object.entries(ratios)) expect(ratio, `${what} contrast`).to.be.at.least(4.5);
  });
});
