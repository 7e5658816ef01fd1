import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ChatLog } from '../src/core/chat-log.js';
import { InMemorySignalingHub } from '../src/core/in-memory-signaling.js';
import type { RtcCall } from '../src/elements/rtc-call/rtc-call.js';

const meta: Meta = {
  title: 'Elements/rtc-chat',
  component: 'rtc-chat',
};
export default meta;

/** Chat among three calls in this page (in-page signaling, real data channels): write in any of them. */
export const Chat: StoryObj = {
  render: () => {
    const hub = new InMemorySignalingHub();
    const transport = () => hub.transport();
    return html`<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px">
      ${['Ada', 'Bob', 'Cy'].map(
        (name) => html`<rtc-call room="chat" name=${name} .signalingTransport=${transport}>
          <rtc-chat></rtc-chat>
        </rtc-call>`,
      )}
    </div>`;
  },
};

/** Before the call is joined: the field is disabled and says why. */
export const NotJoined: StoryObj = {
  render: () => html`<rtc-call no-auto-join><rtc-chat></rtc-chat></rtc-call>`,
};

/** Our message that did not reach everyone (the connection closed under it): marked, and said above the field. */
export const NotDelivered: StoryObj = {
  render: () => {
    const hub = new InMemorySignalingHub();
    return html`<rtc-call room="lost" name="Ada" .signalingTransport=${() => hub.transport()}><rtc-chat></rtc-chat></rtc-call>`;
  },
  play: async ({ canvasElement }) => {
    const call = canvasElement.querySelector<RtcCall>('rtc-call')!;
    const chat = call.querySelector('rtc-chat')!;
    for (let i = 0; i < 100 && call.session.state.status !== 'joined'; i++) await new Promise((r) => setTimeout(r, 50));
    // Drawn in the page: a send that fails, which a story cannot make a real connection do on cue.
    ChatLog.of(call.session, chat.label).channel.send = () => Promise.reject(new Error('data channel "rtc-chat" is closed'));
    await chat.send('Are you still there?');
  },
};
