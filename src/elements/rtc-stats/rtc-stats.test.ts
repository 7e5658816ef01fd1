import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcStats } from './rtc-stats.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';

describe('<rtc-stats>', () => {
  it('shows dashes outside a call and is accessible', async () => {
    const el = await fixture<RtcStats>(html`<rtc-stats></rtc-stats>`);
    expect(el.shadowRoot!.querySelector('[part~="send-bitrate"]')!.textContent).to.equal('—');
    expect(el.shadowRoot!.querySelector('[part~="receive-bitrate"]')!.textContent).to.equal('—');
    await expect(el).to.be.accessible();
  });

  it('samples only while shown, and two elements share one getStats per connection', async () => {
    const call = await fixture<RtcCall>(html`<rtc-call no-auto-join><rtc-stats></rtc-stats><rtc-stats></rtc-stats></rtc-call>`);
    const sampler = call.session.stats;
    expect(sampler.active).to.be.true;
    // Count getStats calls on a real (unconnected) peer connection handed to the sampler.
    const pc = new RTCPeerConnection();
    let calls = 0;
    const original = pc.getStats.bind(pc);
    pc.getStats = ((...args: Parameters<RTCPeerConnection['getStats']>) => {
      calls++;
      return original(...args);
    }) as RTCPeerConnection['getStats'];
    (sampler as unknown as { connections: () => Map<string, RTCPeerConnection> }).connections = () => new Map([['p', pc]]);
    sampler.interval = 100;
    await new Promise((r) => setTimeout(r, 1050));
    expect(calls).to.be.within(8, 12);
    for (const s of call.querySelectorAll('rtc-stats')) s.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(sampler.active).to.be.false;
    const after = calls;
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).to.be.at.most(after + 1);
    pc.close();
  });
});
