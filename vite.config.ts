import { defineConfig } from 'vite';
// @ts-expect-error: a plain .mjs build helper without types
import { cssLiteralsVite } from './scripts/css-literals.mjs';

// The library build: one ES module per entry, with lit and @lit/context left to the app's
// bundler (or an import map) so a page never loads two copies of Lit.
export default defineConfig({
  plugins: [cssLiteralsVite()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: {
      external: [/^lit($|\/)/, /^@lit\//],
    },
  },
});
