/** An SVG sparkline of send and receive bitrate, with a text alternative. */
import { svg, html, nothing } from 'lit';
import type { BitratePoint } from '../../core/stats-sampler.js';

const W = 120;
const H = 28;

/** Renders `points` (oldest first) scaled to their peak; `label` is the text alternative. */
export function sparkline(points: readonly BitratePoint[], window: number, label: string, part = 'sparkline') {
  const end = points.at(-1)?.timestamp ?? 0;
  const peak = Math.max(1, ...points.map((p) => Math.max(p.send, p.receive)));
  const line = (pick: (p: BitratePoint) => number) =>
    points
      .map((p) => {
        const x = W - ((end - p.timestamp) / window) * W;
        const y = H - 1 - (pick(p) / peak) * (H - 2);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  return html`<svg part=${part} viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${label}>
    <title>${label}</title>
    ${points.length > 1
      ? svg`<polyline part="sparkline-receive" class="receive" points=${line((p) => p.receive)}></polyline>
          <polyline part="sparkline-send" class="send" points=${line((p) => p.send)}></polyline>`
      : nothing}
  </svg>`;
}
