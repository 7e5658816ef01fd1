/**
 * Minifies the CSS inside Lit `css\`…\`` templates at build time (Lit ships styles as strings, so
 * the bundler's minifier leaves their whitespace alone). A plugin for both esbuild and Vite.
 */
import { readFile } from 'node:fs/promises';

/** Collapses comments and whitespace of CSS text; leaves `${…}` interpolations intact. */
export function minifyCss(css) {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    .trim();
}

/** Rewrites every css`…` template in `code`. */
export const minifyCssLiterals = (code) => code.replace(/css`([^`]*)`/g, (_, body) => `css\`${minifyCss(body)}\``);

const STYLE_FILE = /(\.styles|tokens)\.ts$/;

/** esbuild plugin. */
export const cssLiteralsEsbuild = () => ({
  name: 'css-literals',
  setup(build) {
    build.onLoad({ filter: STYLE_FILE }, async (args) => ({
      contents: minifyCssLiterals(await readFile(args.path, 'utf8')),
      loader: 'ts',
    }));
  },
});

/** Vite plugin (build only: the dev server keeps readable styles). */
export const cssLiteralsVite = () => ({
  name: 'css-literals',
  apply: 'build',
  enforce: 'pre',
  transform(code, id) {
    return STYLE_FILE.test(id) ? { code: minifyCssLiterals(code), map: null } : null;
  },
});
