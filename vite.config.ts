import { defineConfig } from 'vite';
// @ts-expect-error: a plain .mjs build helper without types
import { cssLiteralsVite } from './scripts/css-literals.mjs';

// Two library builds of src/index.ts:
// - `dist/index.js` (default): lit and @lit/context left to the app's bundler or import map, so a
//   page never loads two copies of Lit;
// - `dist/rtc-elements.bundle.js` (`BUNDLE=1`): one self-contained, minified file with Lit inside,
//   for a plain <script type="module"> from a CDN.
const bundle = process.env.BUNDLE === '1';

export default defineConfig({
  plugins: [cssLiteralsVite()],
  build: {
    outDir: 'dist',
    emptyOutDir: !bundle,
    sourcemap: true,
    lib: {
      entry: bundle ? { 'rtc-elements.bundle': 'src/index.ts' } : { index: 'src/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: bundle
      ? { output: { minify: true } }
      : { external: [/^lit($|\/)/, /^@lit\//] },
  },
});
