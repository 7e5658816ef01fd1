/**
 * Number formatting for what the elements display: numbers through `Intl.NumberFormat` in the
 * page's language, unit labels from a replaceable table so they can be translated.
 */

/** Unit labels; pass your own (e.g. `{ kbps: 'kbit/s' }`) to localize. */
export interface UnitLabels {
  kbps: string;
  Mbps: string;
  ms: string;
  fps: string;
}

/** English unit labels. */
export const DEFAULT_UNITS: UnitLabels = { kbps: 'kbps', Mbps: 'Mbps', ms: 'ms', fps: 'fps' };

const DASH = '—';
const formatters = new Map<string, Intl.NumberFormat>();
const nf = (lang: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat => {
  // A cheap key: this runs for every figure of every render of <rtc-stats>.
  const key = `${lang ?? ''}|${options.style ?? ''}|${options.maximumFractionDigits ?? ''}|${options.minimumFractionDigits ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(lang, options);
    } catch {
      f = new Intl.NumberFormat(undefined, options); // an invalid lang tag falls back to the default
    }
    formatters.set(key, f);
  }
  return f;
};

/** Formats bits per second as `812 kbps` or `1.4 Mbps`, in the given locale. */
export function formatBitrate(bps: number | null | undefined, lang?: string, units: UnitLabels = DEFAULT_UNITS): string {
  if (typeof bps !== 'number' || !Number.isFinite(bps) || bps < 0) return DASH;
  // From 999.5 kbps on, kbps would round to "1,000 kbps": that is 1 Mbps.
  if (bps >= 999_500) return `${nf(lang, { maximumFractionDigits: 1 }).format(bps / 1_000_000)} ${units.Mbps}`;
  return `${nf(lang, { maximumFractionDigits: 0 }).format(bps / 1000)} ${units.kbps}`;
}

/** Formats milliseconds as `42 ms` (one decimal under 10 ms). */
export function formatMs(value: number | null | undefined, lang?: string, units: UnitLabels = DEFAULT_UNITS): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return `${nf(lang, { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value)} ${units.ms}`;
}

/** Formats a percentage (0–100) as `3.2 %` in the locale's own way. */
export function formatPercent(value: number | null | undefined, lang?: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return nf(lang, { style: 'percent', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value / 100);
}

/** Formats frames per second as `30 fps`. */
export function formatFps(value: number | null | undefined, lang?: string, units: UnitLabels = DEFAULT_UNITS): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return `${nf(lang, { maximumFractionDigits: 0 }).format(value)} ${units.fps}`;
}

/** Formats a video size as `640×480`. */
export function formatResolution(width: number | null | undefined, height: number | null | undefined): string {
  if (typeof width !== 'number' || typeof height !== 'number' || !width || !height) return DASH;
  return `${width}×${height}`;
}

/** Formats a plain number (e.g. a MOS of `4.3`). */
export function formatNumber(value: number | null | undefined, lang?: string, digits = 1): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return nf(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

/**
 * Reads a bitrate as written in an attribute: bits per second (`200000`), or with a unit
 * (`200k`, `200 kbps`, `1.5M`, `1.5Mbps`). Returns null for empty or invalid input.
 */
export function parseBitrateValue(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|m)?(?:bps|bit\/s|b\/s)?\s*$/i.exec(String(text));
  if (!m) return null;
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : null;
}
