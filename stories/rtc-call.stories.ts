import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';

interface Args {
  signaling: string;
  room: string;
  name: string;
}

const meta: Meta<Args> = {
  title: 'Elements/rtc-call',
  component: 'rtc-call',
  args: { signaling: '', room: 'storybook', name: 'Storybook' },
  argTypes: {
    signaling: { control: 'text', description: 'ws:// URL of a running signaling server (npm run signal)' },
    room: { control: 'text' },
    name: { control: 'text' },
  },
};
export default meta;

/**
 * Joins a real signaling server when its URL is given (start one with `npm run signal`, then
 * set `signaling` to `ws://127.0.0.1:8080/signal`); without one it waits, connecting nowhere.
 */
export const RealServer: StoryObj<Args> = {
  render: ({ signaling, room, name }) => html`
    ${signaling
      ? ''
      : html`<p>Start a server with <code>npm run signal</code> and set the <b>signaling</b> control to
          <code>ws://127.0.0.1:8080/signal</code>; open this story twice to talk.</p>`}
    <rtc-call signaling=${signaling} room=${room} name=${name} ?no-auto-join=${!signaling}>
      <rtc-camera width="320" height="240"></rtc-camera>
      <rtc-stats></rtc-stats>
    </rtc-call>
  `,
};

/** Idle: configured but not joined yet. */
export const Idle: StoryObj<Args> = {
  render: () => html`<rtc-call no-auto-join signaling="ws://127.0.0.1:8080/signal" room="standup"></rtc-call>`,
};
