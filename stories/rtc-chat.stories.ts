import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { InMemorySignalingHub } from '../src/core/in-memory-signaling.js';

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
