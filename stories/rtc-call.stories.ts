import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { InMemorySignalingHub } from '../src/core/in-memory-signaling.js';
import type { RtcCall } from '../src/elements/rtc-call/rtc-call.js';
import { loopback as loopbackCall, neverOpens, unreachable, withLoopback } from './support/loopback.js';

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

/** Calls inside this page: every story gets its own in-page signaling hub, so no server is needed. */
const loopback = (hub = new InMemorySignalingHub()) => () => hub.transport();

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

/**
 * A room of three, live, in this page (in-page signaling, real peer connections, your camera
 * three times): each call shows the two others, outlines whoever speaks, and scales its video
 * down for three.
 */
export const RoomOfThree: StoryObj<Args> = {
  tags: ['live'],
  render: () => {
    const transport = loopback();
    return html`<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px">
      ${['Ada', 'Bob', 'Cy'].map(
        (name) => html`<rtc-call room="three" name=${name} .signalingTransport=${transport}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          <rtc-stats></rtc-stats>
        </rtc-call>`,
      )}
    </div>`;
  },
};

/**
 * Reconnecting: "Cut Bob's connection" closes Bob's peer connection as if his network vanished.
 * Ada's tile shows "reconnecting…", her ICE restarts fail, she builds a new connection, Bob
 * follows, and the picture comes back (short recovery timings for the demo).
 */
export const Reconnecting: StoryObj<Args> = {
  tags: ['live'],
  render: () => {
    const transport = loopback();
    const recovery = { disconnectedMs: 1000, restartTimeoutMs: 2000, maxRestarts: 1 };
    const cut = (e: Event) => {
      const bob = (e.target as HTMLElement).closest('div')!.querySelector<RtcCall>('rtc-call[name="Bob"]')!;
      for (const pc of bob.session.peerConnections().values()) pc.close();
    };
    const configure = (el?: Element) => {
      if (el) (el as RtcCall).session.config.recovery = recovery;
    };
    return html`<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px">
      ${['Ada', 'Bob'].map(
        (name) => html`<rtc-call room="flaky" name=${name} .signalingTransport=${transport} ${ref(configure)}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
        </rtc-call>`,
      )}
      <p><button @click=${cut}>Cut Bob's connection</button></p>
    </div>`;
  },
};

interface RelayArgs {
  turnUrl: string;
  username: string;
  credential: string;
}

/**
 * Relay-only: every byte through TURN (`ice-transport-policy="relay"`). Give a TURN server in
 * the controls (e.g. coturn on `turn:127.0.0.1:3478`); without one the tiles stay
 * "connecting…", and refused credentials show an error.
 */
export const RelayOnly: StoryObj<RelayArgs> = {
  args: { turnUrl: 'turn:127.0.0.1:3478?transport=udp', username: '', credential: '' },
  render: ({ turnUrl, username, credential }) => {
    const transport = loopback();
    // Without credentials there is no TURN server to use: the story then shows that failure.
    const servers = username && credential ? [{ urls: turnUrl, username, credential }] : [];
    return html`<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px">
      ${['Ada', 'Bob'].map(
        (name) => html`<rtc-call room="relay" name=${name} ice-transport-policy="relay" .iceServers=${servers} .signalingTransport=${transport}>
          <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          <rtc-stats></rtc-stats>
        </rtc-call>`,
      )}
    </div>`;
  },
};

/** A full room: the server (here the in-page hub, capped at 2) refuses the third participant with a clear message. */
export const RoomFull: StoryObj<Args> = {
  render: () => {
    const transport = loopback(new InMemorySignalingHub(2));
    return html`${['Ada', 'Bob', 'Cy'].map(
      (name) => html`<rtc-call room="small" name=${name} .signalingTransport=${transport}></rtc-call>`,
    )}`;
  },
};

/** Live: you and Bob in an in-page call (the `withLoopback` decorator adds Bob), real video both ways. */
export const Live: StoryObj<Args> = {
  tags: ['live'],
  decorators: [withLoopback],
  render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${loopbackCall()}>
    <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
    <rtc-stats variant="compact"></rtc-stats>
  </rtc-call>`,
};

/** Connecting: the signaling server has not answered yet. */
export const Connecting: StoryObj<Args> = {
  render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${neverOpens}></rtc-call>`,
};

/** You muted: Bob's side (right) shows the muted badge on your tile, and your camera says so. */
export const Muted: StoryObj<Args> = {
  tags: ['live'],
  decorators: [withLoopback],
  render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${loopbackCall()}>
    <rtc-camera width="320" height="240" frame-rate="15" muted></rtc-camera>
  </rtc-call>`,
};

/** Your camera is off: the light goes out, and Bob's side shows “Camera off” in your tile. */
export const CameraOff: StoryObj<Args> = {
  decorators: [withLoopback],
  render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${loopbackCall()}>
    <rtc-camera width="320" height="240" frame-rate="15" camera-off></rtc-camera>
  </rtc-call>`,
};

/** The signaling server cannot be reached: the status line says so (in red), and Join stays offered. */
export const SignalingUnreachable: StoryObj<Args> = {
  render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${unreachable}></rtc-call>`,
};

/** Live with the detailed statistics of the call under it (poor-network figures: see the rtc-stats stories). */
export const WithStats: StoryObj<Args> = {
  tags: ['live'],
  decorators: [withLoopback],
  render: () => html`<rtc-call room="demo" name="You" .signalingTransport=${loopbackCall()}>
    <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
    <rtc-stats></rtc-stats>
  </rtc-call>`,
};

/** Translated: every text from `strings` (here French), numbers in the `lang` of the page around. */
export const Translated: StoryObj<Args> = {
  tags: ['live'],
  decorators: [withLoopback],
  render: () => html`<div lang="fr">
    <rtc-call
      room="demo"
      name="Vous"
      .signalingTransport=${loopbackCall()}
      .strings=${{
        waiting: 'Dans « {room} », en attente des autres',
        withOne: 'Dans « {room} » avec {count} autre personne',
        withMany: 'Dans « {room} » avec {count} autres personnes',
        connecting: 'Connexion…',
        reconnecting: 'Reconnexion…',
        leave: 'Quitter',
        join: 'Rejoindre',
        video: 'Vidéo de {name}',
        participantJoined: '{name} est arrivé',
        participantLeft: '{name} est parti',
      }}
    >
      <rtc-camera
        width="320"
        height="240"
        frame-rate="15"
        .strings=${{ mute: 'Couper le micro', unmute: 'Activer le micro', cameraOff: 'Couper la caméra', cameraOn: 'Activer la caméra', shareScreen: 'Partager l’écran', camera: 'Caméra', microphone: 'Micro', speaker: 'Haut-parleur' }}
      ></rtc-camera>
    </rtc-call>
  </div>`,
};

const THEMES: Record<string, string> = {
  Midnight: `--rtc-color-surface:#0f1222;--rtc-color-text:#e7e9ff;--rtc-color-text-muted:#9aa0c3;--rtc-color-accent:#8b5cf6;--rtc-color-border:#2a2f52;--rtc-color-tile:#05060d;--rtc-radius:16px;--rtc-tile-gap:12px;--rtc-font:ui-rounded, system-ui, sans-serif`,
  Paper: `--rtc-color-surface:#fbf7ef;--rtc-color-text:#2b2118;--rtc-color-text-muted:#6b5a48;--rtc-color-accent:#b45309;--rtc-color-border:#d9ccb8;--rtc-color-tile:#3b3024;--rtc-radius:2px;--rtc-tile-gap:4px;--rtc-font:Georgia, serif`,
  Signal: `--rtc-color-surface:#ffffff;--rtc-color-text:#000000;--rtc-color-text-muted:#333333;--rtc-color-accent:#d10000;--rtc-color-border:#000000;--rtc-color-tile:#000000;--rtc-radius:0;--rtc-spacing:12px;--rtc-font:ui-monospace, monospace`,
};

/**
 * Three themes of the same call, built only from `--rtc-*` custom properties and `::part()`
 * (the buttons below are styled with `rtc-call::part(leave)` and `rtc-camera::part(button)`).
 */
export const Themes: StoryObj<Args> = {
  tags: ['live'],
  render: () => {
    const transport = loopback();
    return html`<style>
        .paper rtc-call::part(leave) { background: #7c2d12; color: #fff; border: none; }
        .signal rtc-camera::part(button) { text-transform: uppercase; border-width: 2px; }
        .midnight rtc-call::part(tile) { box-shadow: 0 0 0 2px #8b5cf6; }
      </style>
      <div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px">
        ${Object.entries(THEMES).map(
          ([name, style]) => html`<rtc-call class=${name.toLowerCase()} style=${style} room="themes" name=${name} .signalingTransport=${transport}>
            <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
          </rtc-call>`,
        )}
      </div>`;
  },
};

const SIX = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay'];

/**
 * A full room of six, live, in this page (in-page signaling, 30 real peer connections, your
 * camera six times at 160×120, 10 fps, so two CPU cores cope): Ada's call on top shows the five
 * others three across; the five calls below show the same room from each other seat.
 */
export const RoomOfSix: StoryObj<Args> = {
  // Not on the docs page, where every story runs at once: 30 more peer connections there is too many.
  tags: ['live', '!autodocs'],
  render: () => {
    const transport = loopback(new InMemorySignalingHub(6));
    const call = (name: string) => html`<rtc-call room="six" name=${name} .signalingTransport=${transport}>
      <rtc-camera width="160" height="120" frame-rate="10"></rtc-camera>
    </rtc-call>`;
    return html`<div style="display:grid;gap:16px">
      <div style="max-width:960px">${call(SIX[0])}</div>
      <div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:12px">
        ${SIX.slice(1).map(call)}
      </div>
    </div>`;
  },
};

/**
 * Screen share in a call: press **Share screen** under Ada's camera and pick a screen, window or
 * tab. Her camera track is swapped for the screen in place (`RTCRtpSender.replaceTrack`, no
 * renegotiation), and Bob's tile of Ada (right) shows the screen with the “Sharing screen”
 * badge; **Stop sharing** (or the browser's own bar) brings the camera back. The browser asks
 * for a click, so the share starts from the button, as it would for a user.
 */
export const ScreenShareInCall: StoryObj<Args> = {
  tags: ['live', 'share-screen'],
  render: () => {
    const transport = loopback();
    return html`<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px">
      ${['Ada', 'Bob'].map(
        (name) => html`<rtc-call room="share" name=${name} .signalingTransport=${transport}>
          <rtc-camera width="320" height="240" frame-rate="15" ?no-controls=${name === 'Bob'}></rtc-camera>
        </rtc-call>`,
      )}
    </div>`;
  },
};
