import { defineConfig } from 'vite';

// The library build: one ES module per entry, with lit and @lit/context left to the app's
// bundler (or an import map) so a page never loads two copies of Lit.
export default defineConfig({
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
