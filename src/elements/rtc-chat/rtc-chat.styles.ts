import { css } from 'lit';
import { tokens } from '../../styles/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: flex;
      flex-direction: column;
      gap: var(--_space);
      min-height: 0;
      /* Its own surface: the text follows the colour scheme, which a light page may not. */
      background: var(--_bg);
    }
    [part~='messages'] > ol {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    [part~='messages'] {
      margin: 0;
      padding: var(--_space);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_bg);
      overflow-y: auto;
      height: var(--rtc-chat-height, 14em);
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    [part~='empty'] {
      margin: 0;
      color: var(--_muted);
    }
    [part~='sender'] {
      font-weight: 600;
      margin-inline-end: 0.4em;
    }
    [part~='message'][data-own] [part~='sender'] {
      color: var(--_accent);
    }
    [part~='text'] {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    [part~='failed'] {
      color: var(--_danger);
      font-size: 0.85em;
      margin-inline-start: 0.5em;
    }
    [part~='form'] {
      display: flex;
      gap: var(--_space);
      align-items: center;
    }
    [part~='input'] {
      flex: 1;
      min-width: 0;
      font: inherit;
      padding: calc(var(--_space) * 0.75);
      border-radius: var(--_radius);
      border: 1px solid var(--_border);
      background: var(--_bg);
      color: var(--_fg);
    }
    [part~='input']:focus-visible {
      outline: 3px solid var(--_accent);
      outline-offset: 1px;
    }
  `,
];
