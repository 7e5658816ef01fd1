import { css } from 'lit';
import { tokens } from '../../styles/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      position: relative;
      max-width: var(--rtc-camera-width, 320px);
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
    :host(:not([no-mirror])) [part~='video'] {
      transform: scaleX(-1);
    }
    [part~='placeholder'] {
      display: grid;
      place-items: center;
      color: #fff;
      font-size: 0.9em;
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
