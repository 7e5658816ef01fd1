import { css } from 'lit';
import { tokens } from '../../styles/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: flex;
      flex-direction: column;
      gap: var(--_space);
      padding: var(--_space);
      background: var(--_bg);
      border-radius: var(--_radius);
      box-sizing: border-box;
    }
    [part~='status'] {
      color: var(--_muted);
      font-size: 0.9em;
    }
    [part~='status'][data-error] {
      color: var(--_danger);
    }
    /* Tiles lay out by the call's own width (a container), not the viewport's. */
    .stage {
      container-type: inline-size;
    }
    /* 1 → one large tile, 2 → side by side, 3–4 → 2×2, 5 and more → three across; one column when narrow. */
    [part~='tiles'] {
      display: grid;
      grid-template-columns: repeat(var(--_cols, 1), minmax(0, 1fr));
      gap: var(--_gap);
      /* A capped grid scrolls; tiles scrolled out of it stop their video at the sender. */
      max-height: var(--rtc-tiles-max-height, none);
      overflow: auto;
    }
    [data-count='2'],
    [data-count='3'],
    [data-count='4'] {
      --_cols: 2;
    }
    [data-count='5'] {
      --_cols: 3;
    }
    @container (max-width: 480px) {
      [part~='tiles'] {
        --_cols: 1;
      }
    }
    [part~='tiles']:empty {
      display: none;
    }
    [part~='tile'] {
      position: relative;
      margin: 0;
      aspect-ratio: 4 / 3;
      max-height: var(--rtc-tile-max-height, 60vh);
      background: var(--_tile-bg);
      border-radius: var(--_radius);
      overflow: hidden;
    }
    [part~='tile'][data-speaking] {
      outline: 3px solid var(--rtc-color-speaking, var(--_accent));
      outline-offset: -3px;
    }
    [part~='tile'][data-state='reconnecting'] [part~='video'] {
      opacity: 0.5;
    }
    [part~='badges'] {
      position: absolute;
      right: var(--_space);
      bottom: var(--_space);
      display: flex;
      gap: 4px;
    }
    [part~='badges'] > * {
      padding: 2px 8px;
      border-radius: var(--_radius);
      background: rgb(0 0 0 / 0.55);
      color: #fff;
      font-size: 0.85em;
    }
    [part~='video'] {
      width: 100%;
      height: 100%;
      object-fit: contain;
      display: block;
    }
    [part~='name'],
    [part~='tile-status'] {
      position: absolute;
      left: var(--_space);
      bottom: var(--_space);
      padding: 2px 8px;
      border-radius: var(--_radius);
      background: rgb(0 0 0 / 0.55);
      color: #fff;
      font-size: 0.85em;
    }
    [part~='tile-status'] {
      top: var(--_space);
      bottom: auto;
    }
    [part~='tile-camera-off'] {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      color: #fff;
    }
    [part~='tile-muted'] {
      background: var(--_danger);
      color: var(--_on-danger);
    }
    [part~='controls'] {
      display: flex;
      gap: var(--_space);
      flex-wrap: wrap;
    }
    [part~='leave'] {
      background: var(--_danger);
      border-color: var(--_danger);
      color: var(--_on-danger);
    }
  `,
];
