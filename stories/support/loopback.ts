/**
 * A Storybook decorator that puts the story into an in-page call: it makes an
 * `InMemorySignalingHub`, lets the story's `<rtc-call>` join it (`.signalingTransport=${loopback()}`),
 * and adds the remote participants (`parameters.loopback.peers`, default `['Bob']`), each a real
 * `<rtc-call>` with the fake or your camera. Live video, real peer connections, no server.
 *
 * @example
 * export const Live = { decorators: [withLoopback], parameters: { loopback: { peers: ['Bob'] } },
 *   render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${loopback()}></rtc-call>` };
 */
import type { Decorator } from '@storybook/web-components-vite';
import { html } from 'lit';
import { InMemorySignalingHub } from '../../src/core/in-memory-signaling.js';
import type { SignalingTransport } from '../../src/core/signaling-transport.js';

let current: InMemorySignalingHub | null = null;

/** The transport factory of the loopback call being rendered (call it inside `render`). */
export const loopback = (): (() => SignalingTransport) => {
  const hub = (current ??= new InMemorySignalingHub());
  return () => hub.transport();
};

/** Renders the story beside its remote participants, all in one in-page room. */
export const withLoopback: Decorator = (story, context) => {
  const hub = new InMemorySignalingHub();
  current = hub;
  const rendered = story(); // renders synchronously: `loopback()` inside sees this hub
  current = null;
  const { peers = ['Bob'], room = 'demo' } = (context.parameters.loopback ?? {}) as { peers?: string[]; room?: string };
  const transport = () => hub.transport();
  return html`<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px;align-items:start">
    ${rendered}
    ${peers.map(
      (name) => html`<rtc-call room=${room} name=${name} .signalingTransport=${transport}>
        <rtc-camera width="320" height="240" frame-rate="15" no-controls></rtc-camera>
      </rtc-call>`,
    )}
  </div>`;
};

/** A signaling channel that never opens: the call stays "Connecting…". */
export const neverOpens = (): SignalingTransport => ({
  connect: () => new Promise(() => {}),
  send() {},
  close() {},
});

/** A signaling channel that cannot open: the call shows why. */
export const unreachable = (): SignalingTransport => ({
  connect: () => Promise.reject(new Error('could not reach the signaling server (story)')),
  send() {},
  close() {},
});
