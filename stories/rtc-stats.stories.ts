import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';

const meta: Meta = {
  title: 'Elements/rtc-stats',
  component: 'rtc-stats',
};
export default meta;

/** Outside a call: nothing to measure yet. */
export const NoCall: StoryObj = {
  render: () => html`<rtc-stats></rtc-stats>`,
};
