import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';

interface Args {
  width: number;
  height: number;
  frameRate: number;
  noAudio: boolean;
  noVideo: boolean;
  noMirror: boolean;
}

const meta: Meta<Args> = {
  title: 'Elements/rtc-camera',
  component: 'rtc-camera',
  args: { width: 320, height: 240, frameRate: 15, noAudio: true, noVideo: false, noMirror: false },
};
export default meta;

/** A standalone camera preview (no call): capture with the given constraints. */
export const Preview: StoryObj<Args> = {
  render: (a) => html`<rtc-camera
    width=${a.width}
    height=${a.height}
    frame-rate=${a.frameRate}
    ?no-audio=${a.noAudio}
    ?no-video=${a.noVideo}
    ?no-mirror=${a.noMirror}
  ></rtc-camera>`,
};

/** A camera that cannot be opened: the error with its Retry action. */
export const ImpossibleDevice: StoryObj<Args> = {
  render: () => html`<rtc-camera no-audio device-id="no-such-camera"></rtc-camera>`,
};
