/** Reads the `ice-servers` attribute: a JSON array of `RTCIceServer` objects. */
import type { ComplexAttributeConverter } from 'lit';

/** Parses `ice-servers`; invalid JSON is reported and ignored rather than breaking the call. */
export const iceServersConverter: ComplexAttributeConverter<RTCIceServer[]> = {
  fromAttribute(value: string | null): RTCIceServer[] {
    if (!value) return [];
    try {
      const parsed: unknown = JSON.parse(value);
      const list = Array.isArray(parsed) ? parsed : [parsed];
      if (list.every((s) => typeof s === 'object' && s !== null && 'urls' in s)) {
        return list as RTCIceServer[];
      }
    } catch {
      // reported below
    }
    console.error(
      `[rtc-call] ice-servers must be a JSON array like [{"urls":"stun:stun.example.org:3478"}]; ignoring ${value}`,
    );
    return [];
  },
  toAttribute(value: RTCIceServer[]): string {
    return JSON.stringify(value);
  },
};
