// A bench server on 127.0.0.1: the kit bundled by esbuild, bench pages, and the kit's signaling
// server at /signal. Extra routes and upgrade handlers may be added by the caller.
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { attachSignaling } from '../src/server/signaling-server.ts';
import { cssLiteralsEsbuild } from '../scripts/css-literals.mjs';
import { serve } from './lib.mjs';

const root = new URL('../', import.meta.url);
export const readRoot = (p) => readFileSync(new URL(p, root));

export async function startKitServer(extraRoutes = {}, headScripts = '', { isolated = false } = {}) {
  const kit = await esbuild.build({
    entryPoints: [new URL('src/index.ts', root).pathname],
    bundle: true, format: 'esm', minify: true, write: false, platform: 'browser',
    tsconfig: new URL('tsconfig.json', root).pathname, plugins: [cssLiteralsEsbuild()],
  });
  const html = `<!doctype html><meta charset="utf-8"><body></body>${headScripts}
<script type="module">import * as b from '/page.js'; import * as kit from '/kit.js'; window.bench = b; window.kit = kit;</script>`;
  const { server, base } = await serve({
    '/': ['text/html', html],
    '/kit.js': ['text/javascript', kit.outputFiles[0].contents],
    ...extraRoutes,
  }, { isolated });
  const signaling = attachSignaling(server);
  return {
    server,
    base,
    signalingUrl: `${base.replace('http', 'ws')}/signal`,
    close: async () => {
      await signaling.close();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}
