/**
 * Elements render when what they show changes, not on every change of the call: its state is
 * replaced several times a second in a call (who is speaking), which the chat and the stats panel
 * do not show.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../index.js';
import { InMemorySignalingHub } from '../core/in-memory-signaling.js';
import type { RtcCall } from './rtc-call/rtc-call.js';
import type { RtcChat } from './rtc-chat/rtc-chat.js';
import type { RtcStats } from './rtc-stats/rtc-stats.js';
import { until } from '../test-support/call-helpers.js';

/** Counts `el`'s renders from now on. */
function countRenders(el: { render(): unknown }): { n: number } {
  const count = { n: 0 };
  const render = el.render.bind(el);
  el.render = () => (count.n++, render());
  return count;
}

describe('renders', () => {
  it('<rtc-chat> and <rtc-stats> skip call changes they do not show, and follow the ones they do', async () => {
    const hub = new InMemorySignalingHub();
    const t = () => hub.transport();
    const root = await fixture(html`<div>
      <rtc-call room="renders" name="Ada" .signalingTransport=${t}><rtc-chat></rtc-chat><rtc-stats interval="60000"></rtc-stats></rtc-call>
      <rtc-call room="renders" name="Bob" .signalingTransport=${t}></rtc-call>
    </div>`);
    const [ada, bob] = [...root.querySelectorAll<RtcCall>('rtc-call')];
    try {
      await until(() => ada.session.state.participants.length === 1, 'Ada sees Bob');
      const chat = ada.querySelector<RtcChat>('rtc-chat')!;
      const stats = ada.querySelector<RtcStats>('rtc-stats')!;
      await Promise.all([chat.updateComplete, stats.updateComplete]);
      const [chatRenders, statsRenders] = [countRenders(chat as never), countRenders(stats as never)];
      // What a speaking indicator does: the state is replaced, nothing either element shows changed.
      for (let i = 0; i < 5; i++) ada.session.dispatchEvent(new Event('change'));
      await Promise.all([chat.updateComplete, stats.updateComplete]);
      expect([chatRenders.n, statsRenders.n], 'renders after 5 changes of nothing they show').to.deep.equal([0, 0]);
      // A name the stats panel shows, and a leave that disables the chat: both render.
      bob.name = 'Robert';
      await until(() => statsRenders.n > 0, 'the stats panel follows a new name');
      ada.leave();
      await until(() => chatRenders.n > 0 && chat.shadowRoot!.querySelector('input')!.disabled, 'the chat follows the leave');
    } finally {
      ada.leave();
      bob.leave();
    }
  });
});
