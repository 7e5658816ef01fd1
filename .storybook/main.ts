import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // One copy of Lit for the renderer and the stories ("Multiple versions of Lit loaded" otherwise).
  viteFinal: async (c) => ({
    ...c,
    optimizeDeps: {
      ...c.optimizeDeps,
      exclude: [...(c.optimizeDeps?.exclude ?? []), 'lit', 'lit-html', 'lit-element', '@lit/reactive-element'],
    },
  }),
};
export default config;
