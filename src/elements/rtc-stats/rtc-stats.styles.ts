import { css } from 'lit';
import { tokens } from '../../styles/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      font-variant-numeric: tabular-nums;
      /* Its own surface: the text follows the colour scheme, which a light page may not. */
      background: var(--_bg);
      font-size: 0.875rem;
      --_excellent: var(--rtc-color-quality-excellent, #1a7f37);
      --_good: var(--rtc-color-quality-good, #4d7c0f);
      --_poor: var(--rtc-color-quality-poor, #b45309);
      --_lost: var(--rtc-color-quality-lost, var(--_danger));
      --_send: var(--rtc-color-send, var(--_accent));
      --_receive: var(--rtc-color-receive, #0f766e);
    }
    @media (prefers-color-scheme: dark) {
      :host {
        --_excellent: var(--rtc-color-quality-excellent, #4ade80);
        --_good: var(--rtc-color-quality-good, #a3e635);
        --_poor: var(--rtc-color-quality-poor, #fbbf24);
        --_receive: var(--rtc-color-receive, #2dd4bf);
      }
    }
    :host([variant='compact']) {
      display: inline-block;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    [part~='badge'] {
      display: inline-flex;
      align-items: center;
      gap: var(--_space);
      white-space: nowrap;
      padding: 2px var(--_space);
      border: 1px solid var(--_border);
      border-radius: 999px;
      background: var(--_bg);
    }
    [part~='quality'] {
      display: inline-flex;
      align-items: center;
      gap: 0.4em;
      font-weight: 600;
    }
    [part~='quality-dot'] {
      width: 0.7em;
      height: 0.7em;
      border-radius: 50%;
      background: var(--_muted);
    }
    [data-level='excellent'] [part~='quality-dot'] { background: var(--_excellent); }
    [data-level='good'] [part~='quality-dot'] { background: var(--_good); }
    [data-level='poor'] [part~='quality-dot'] { background: var(--_poor); }
    [data-level='lost'] [part~='quality-dot'] { background: var(--_lost); }
    [part~='quality-reason'] {
      color: var(--_muted);
      margin-inline-start: 0.5em;
    }
    [part~='panel'] {
      display: grid;
      gap: calc(var(--_space) * 1.5);
    }
    [part~='summary'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_space) calc(var(--_space) * 2);
    }
    dl {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 2px var(--_space);
      margin: 0;
    }
    dl.rates {
      grid-template-columns: auto auto auto auto;
    }
    dt {
      color: var(--_muted);
    }
    dd {
      margin: 0;
    }
    [part~='peer'] {
      display: grid;
      gap: var(--_space);
      border-top: 1px solid var(--_border);
      padding-top: var(--_space);
    }
    [part~='peer-header'] {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: var(--_space);
    }
    h3 {
      font-size: 1em;
      margin: 0;
    }
    table {
      border-collapse: collapse;
      justify-self: start;
    }
    th[scope='col'] {
      min-width: 7em;
    }
    th,
    td {
      text-align: end;
      padding: 1px var(--_space);
    }
    th[scope='row'] {
      text-align: start;
      font-weight: normal;
      color: var(--_muted);
    }
    [part~='path'][data-path='relay'] {
      font-weight: 600;
    }
    [part~='badge'] [part~='path'] {
      font-size: 0.8em;
      color: var(--_muted);
    }
    svg {
      width: 100%;
      max-width: 240px;
      height: 28px;
      overflow: visible;
    }
    polyline {
      fill: none;
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
    }
    polyline.send { stroke: var(--_send); }
    polyline.receive { stroke: var(--_receive); }
  `,
];
