/**
 * Design tokens: every colour, radius and spacing the elements use, as `--rtc-*` custom
 * properties a page can override. Light by default, dark under `prefers-color-scheme: dark`.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    --_bg: var(--rtc-color-surface, #ffffff);
    --_fg: var(--rtc-color-text, #1b1d22);
    --_muted: var(--rtc-color-text-muted, #5b606b);
    --_tile-bg: var(--rtc-color-tile, #1b1d22);
    --_accent: var(--rtc-color-accent, #2563eb);
    --_danger: var(--rtc-color-danger, #b42318);
    --_on-danger: var(--rtc-color-on-danger, #ffffff);
    --_border: var(--rtc-color-border, #d7dae0);
    --_radius: var(--rtc-radius, 10px);
    --_space: var(--rtc-spacing, 8px);
    --_gap: var(--rtc-tile-gap, 8px);
    --_font: var(--rtc-font, system-ui, sans-serif);
    font-family: var(--_font);
    color: var(--_fg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--rtc-color-surface, #16181d);
      --_fg: var(--rtc-color-text, #eef0f3);
      --_muted: var(--rtc-color-text-muted, #a5abb6);
      --_tile-bg: var(--rtc-color-tile, #000000);
      --_accent: var(--rtc-color-accent, #6b9cff);
      --_danger: var(--rtc-color-danger, #ff8a80);
      --_on-danger: var(--rtc-color-on-danger, #1b1d22);
      --_border: var(--rtc-color-border, #343842);
    }
  }
  button {
    font: inherit;
    padding: calc(var(--_space) * 0.75) calc(var(--_space) * 1.5);
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_bg);
    color: var(--_fg);
    cursor: pointer;
  }
  :is(button, select, [tabindex]):focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  /* Read by screen readers, not shown (live regions, labels). */
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  /* The host too: a :host display rule would otherwise beat the hidden attribute. */
  [hidden],
  :host([hidden]) {
    display: none !important;
  }
`;
