/**
 * The HTTP side of the server as an operator meets it: an upgrade to a path it does not serve is
 * answered (404) and its socket released, a path given without its slash still works, and an
 * IPv6 host is printed as a URL a client can use. Real sockets on the loopback.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { it } from 'node:test';
import { startSignalingServer, type RunningServer } from '../../src/server/http-server.js';

const upgradeRequest = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** Sends a WebSocket upgrade for `path`: the first line of the answer, or 'no answer'. */
function upgrade(port: number, path: string, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(upgradeRequest(path)));
    const t = setTimeout(() => (s.destroy(), resolve('no answer')), waitMs);
    s.once('data', (d) => (clearTimeout(t), s.destroy(), resolve(String(d).split('\r\n')[0])));
    s.once('close', () => (clearTimeout(t), resolve('closed without an answer')));
  });
}

/** Closes `server`, or says it could not within 2 s (an open socket holds close() up). */
async function closes(server: RunningServer): Promise<boolean> {
  return Promise.race([server.close().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
}

it('answers an upgrade to a path it does not serve with 404, and keeps serving its own', async () => {
  const server = await startSignalingServer({ port: 0 });
  assert.match(await upgrade(server.port, '/signal'), / 101 /);
  assert.match(await upgrade(server.port, '/'), /^HTTP\/1.1 404/);
  assert.match(await upgrade(server.port, '/ws'), /^HTTP\/1.1 404/);
  assert.equal(await closes(server), true, 'close() is not held up');
});

it('holds no socket of an upgrade to another path once its client has gone', async () => {
  const server = await startSignalingServer({ port: 0, maxConnections: 2 });
  const sockets: Socket[] = [];
  for (let i = 0; i < 20; i++) {
    const s = connect(server.port, '127.0.0.1', () => s.write(upgradeRequest('/x')));
    s.on('error', () => {});
    sockets.push(s);
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const open = await new Promise<number>((r) => server.http.getConnections((_e, n) => r(n)));
  assert.equal(open, 0, `sockets still held: ${open}`);
  assert.equal(await closes(server), true);
});

it('takes a path without its leading slash (--path signal) as /signal, and prints a usable URL', async () => {
  const server = await startSignalingServer({ port: 0, path: 'signal' });
  try {
    assert.equal(server.url, `ws://127.0.0.1:${server.port}/signal`);
    assert.match(await upgrade(server.port, '/signal'), / 101 /);
  } finally {
    await server.close();
  }
});

it('prints an IPv6 host in brackets, as a URL needs', async (t) => {
  const server = await startSignalingServer({ port: 0, host: '::1' }).catch(() => null);
  if (!server) return t.skip('no IPv6 loopback here');
  try {
    assert.equal(server.url, `ws://[::1]:${server.port}/signal`);
    assert.doesNotThrow(() => new URL(server.url));
  } finally {
    await server.close();
  }
});
