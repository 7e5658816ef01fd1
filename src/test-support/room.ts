/** Builds rooms of `<rtc-call>` elements for browser tests. */
import { fixture, html } from '@open-wc/testing';
import type { RtcCall } from '../elements/rtc-call/rtc-call.js';
import { signalingUrl, uniqueRoom, until } from './call-helpers.js';

/** Puts `names.length` calls with fake cameras (320×240) into one fresh room; resolves when every tile plays. */
export async function callRoom(names: string[], room = uniqueRoom('room')): Promise<RtcCall[]> {
  const url = await signalingUrl();
  const root = await fixture(html`<div style="display:grid;grid-template-columns:repeat(3,1fr)">
    ${names.map(
      (name) => html`<rtc-call signaling=${url} room=${room} name=${name}>
        <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
      </rtc-call>`,
    )}
  </div>`);
  const calls = [...root.querySelectorAll('rtc-call')];
  await until(() => calls.every((c) => videos(c).length === names.length - 1 && videos(c).every((v) => v.videoWidth > 0)), 'every tile plays');
  return calls;
}

/** The remote videos a call shows. */
export const videos = (call: RtcCall) => [...call.shadowRoot!.querySelectorAll<HTMLVideoElement>('video[part~="video"]')];

/** The tiles a call shows. */
export const tiles = (call: RtcCall) => [...call.shadowRoot!.querySelectorAll<HTMLElement>('[part~="tile"]')];

/** The tile showing participant `id`. */
export const tileOf = (call: RtcCall, id: string) =>
  call.shadowRoot!.querySelector<HTMLElement>(`[part~="tile"][data-participant="${id}"]`);
