/** An SVG sparkline of send and receive bitrate, with a text alternative. */
import { svg, html, nothing } from 'lit';
import type { BitratePoint } from '../../core/stats-sampler.js';

const W = 120;
const H = 28;

/** Renders `points` (oldest first) scaled to their peak; `label` is the text alternative. */
export function sparkline(points: readonly BitratePoint[], window: number, label: string, part = 'sparkline') {
  const end = points.at(-1)?.timestamp ?? 0;
  let peak = 1;
  for (const p of points) peak = Math.max(peak, p.send, p.receive);
  // One pass per line, numbers rounded to a tenth by hand: this runs on every sample.
  const line = (send: boolean) => {
    let out = '';
    for (const p of points) {
      const x = Math.round((W - ((end - p.timestamp) / window) * W) * 10) / 10;
      const y = Math.round((H - 1 - ((send ? p.send : p.receive) / peak) * (H - 2)) * 10) / 10;
      out += `${out ? ' ' : ''}${x},${y}`;
    }
    return out;
  };
  return html`<svg part=${part} viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${label}>
    <title>${label}</title>
    ${points.length > 1
      ? svg`<polyline part="sparkline-receive" class="receive" points=${line(false)}></polyline>
          <polyline part="sparkline-send" class="send" points=${line(true)}></polyline>`
      : nothing}
  </svg>`;
}
