import { css } from 'lit';
import { tokens } from '../../styles/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      position: relative;
      max-width: var(--rtc-camera-width, 320px);
      /* Its own surface: the text follows the colour scheme, which a light page may not. */
      background: var(--_bg);
    }
    [part~='stage'] {
      position: relative;
    }
    [part~='video'],
    [part~='placeholder'] {
      width: 100%;
      aspect-ratio: 4 / 3;
      display: block;
      border-radius: var(--_radius);
      background: var(--_tile-bg);
      object-fit: cover;
    }
    :host(:not([no-mirror]):not([screen-sharing])) [part~='video'] {
      transform: scaleX(-1);
    }
    :host([screen-sharing]) [part~='video'] {
      object-fit: contain;
    }
    [part~='placeholder'] {
      display: grid;
      place-items: center;
      color: #fff;
      font-size: 0.9em;
    }
    [part~='muted-badge'] {
      position: absolute;
      left: var(--_space);
      bottom: var(--_space);
      padding: 2px 8px;
      border-radius: 999px;
      background: var(--_danger);
      color: var(--_on-danger);
      font-size: 0.8em;
    }
    [part~='settings'] {
      margin-top: calc(var(--_space) / 2);
      color: var(--_muted);
      font-size: 0.85em;
      font-variant-numeric: tabular-nums;
    }
    [part~='controls'],
    [part~='devices'] {
      margin-top: var(--_space);
      display: flex;
      gap: var(--_space);
      flex-wrap: wrap;
      align-items: center;
    }
    [part~='devices'] label {
      display: flex;
      flex-direction: column;
      font-size: 0.8em;
      color: var(--_muted);
      gap: 2px;
      min-width: 0;
      flex: 1 1 8em;
    }
    select {
      font: inherit;
      font-size: 1.1em;
      color: var(--_fg);
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 4px;
      max-width: 100%;
    }
    :host([muted]) [part~='mute'],
    :host([camera-off]) [part~='camera'],
    :host([screen-sharing]) [part~='screen-share'] {
      border-color: var(--_danger);
      color: var(--_danger);
    }
    [part~='error'] {
      margin-top: var(--_space);
      color: var(--_danger);
      display: flex;
      gap: var(--_space);
      align-items: center;
      flex-wrap: wrap;
    }
  `,
];
