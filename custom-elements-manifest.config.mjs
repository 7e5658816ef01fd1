// @custom-elements-manifest/analyzer: builds custom-elements.json from the elements' JSDoc
// (@summary, @slot, @csspart, @cssproperty, @fires and one line on each public property).
export default {
  globs: ['src/elements/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  plugins: [
    {
      // The analyzer also lists every `dispatchEvent(new X())` it sees, without a name; the
      // documented `@fires` entries are the ones users need.
      name: 'documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const d of mod.declarations ?? []) {
            if (d.events) d.events = d.events.filter((e) => e.name && e.description);
          }
        }
      },
    },
  ],
};
