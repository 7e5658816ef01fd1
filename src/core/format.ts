/** Number formatting for what the elements display. */

/** Formats bits per second as `812 kbps` or `1.4 Mbps`, in the given locale. */
export function formatBitrate(bps: number, lang?: string): string {
  if (!Number.isFinite(bps) || bps < 0) return '—';
  if (bps >= 1_000_000) {
    const mbps = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(bps / 1_000_000);
    return `${mbps} Mbps`;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(bps / 1000)} kbps`;
}
