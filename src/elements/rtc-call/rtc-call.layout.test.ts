import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from './rtc-call.js';
import { InMemorySignalingHub } from '../../core/in-memory-signaling.js';
import { until } from '../../test-support/call-helpers.js';
import { tiles } from '../../test-support/room.js';

describe('<rtc-call> tile layout in a full room of six', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('puts five remote tiles three across in a wide call and stacks them in a narrow one', async () => {
    // Six participants without cameras (receive-only, real peer connections through an in-page
    // hub): the layout depends on the tiles, not on their video, and spares the 2 cores.
    const hub = new InMemorySignalingHub(6);
    const t = () => hub.transport();
    const root = await fixture(html`<div>
      ${['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay'].map(
        (name) => html`<rtc-call room="six" name=${name} .signalingTransport=${t}></rtc-call>`,
      )}
    </div>`);
    calls = [...root.querySelectorAll('rtc-call')];
    const ada = calls[0];
    ada.style.width = '900px';
    await until(() => tiles(ada).length === 5, 'ada has five tiles', 20000);
    const lefts = () => new Set(tiles(ada).map((el) => Math.round(el.getBoundingClientRect().left)));
    const tops = () => new Set(tiles(ada).map((el) => Math.round(el.getBoundingClientRect().top)));
    await until(() => lefts().size === 3 && tops().size === 2, 'three across, two rows');
    ada.style.width = '400px';
    await until(() => lefts().size === 1 && tops().size === 5, 'one column when narrow');
    await expect(ada).to.be.accessible();
    // Capped, the grid scrolls: a keyboard user can reach it (axe: scrollable-region-focusable).
    ada.style.setProperty('--rtc-tiles-max-height', '120px');
    const grid = ada.shadowRoot!.querySelector<HTMLElement>('[part~="tiles"]')!;
    await until(() => grid.scrollHeight > grid.clientHeight, 'the grid scrolls');
    await expect(ada).to.be.accessible();
    expect(grid.tabIndex).to.equal(0);
    expect(grid.getAttribute('aria-label')).to.equal('Participants');
  });
});
