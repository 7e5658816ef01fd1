import { css } from 'lit';
import { tokens } from '../../styles/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      font-variant-numeric: tabular-nums;
    }
    dl {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 2px var(--_space);
      margin: 0;
    }
    dt {
      color: var(--_muted);
    }
    dd {
      margin: 0;
    }
  `,
];
