import type { ComplexAttributeConverter } from 'lit';
import { parseBitrateValue } from '../../core/format.js';

/** `max-bitrate="200000"`, `"200k"`, `"1.5Mbps"` ↔ bits/s; absent, empty or invalid: no cap. */
export const bitrateConverter: ComplexAttributeConverter<number | null> = {
  fromAttribute: (value) => {
    const bps = parseBitrateValue(value);
    if (value !== null && value.trim() !== '' && bps === null) {
      console.warn(`[rtc-elements] ignoring bitrate "${value}": use bits/s such as 200000, 200k or 1.5M`);
    }
    return bps;
  },
  toAttribute: (value) => (value === null ? null : String(value)),
};
