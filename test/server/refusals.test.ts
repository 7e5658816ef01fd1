/**
 * Sockets the server closes (a refusal at the door, a join timeout) are gone within a couple of
 * seconds even when the client never answers the close frame (ws alone waits 30 s), and those
 * refused at the door count against the connection cap while they last. Raw TCP clients that
 * upgrade by hand and then never write again; real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { CLOSE_TIMEOUT_MS } from '../../src/server/admission.js';
import type { RunningServer } from '../../src/server/http-server.js';
import { perFile, until } from './support.js';

const { server, client } = perFile();
const sockets: Socket[] = [];
after(() => sockets.forEach((s) => s.destroy()));

const gauge = async (s: RunningServer, name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
  return Number(new RegExp(`^rtc_signal_${name} (\\d+)$`, 'm').exec(text)?.[1]);
};

/**
 * A WebSocket client that upgrades by hand, then never writes another byte: it reads the
 * server's close frame but never answers it, as a client that hangs or does not care would.
 */
class Mute {
  readonly socket: Socket;
  /** The code of the close frame received, once one is. */
  closeCode?: number;
  /** When the server ended the TCP connection (ms, performance.now()). */
  endedAt?: number;
  upgraded = false;
  #buffer = Buffer.alloc(0);

  constructor(port: number, origin?: string) {
    this.socket = connect(port, '127.0.0.1', () => {
      this.socket.write(
        'GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          (origin ? `Origin: ${origin}\r\n` : '') +
          '\r\n',
      );
    });
    sockets.push(this.socket);
    this.socket.on('data', (chunk) => this.#read(chunk));
    this.socket.on('error', () => {});
    this.socket.on('end', () => (this.endedAt ??= performance.now()));
    this.socket.on('close', () => (this.endedAt ??= performance.now()));
  }

  #read(chunk: Buffer) {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (!this.upgraded) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      assert.match(this.#buffer.toString('latin1', 0, end), /^HTTP\/1\.1 101 /);
      this.upgraded = true;
      this.#buffer = this.#buffer.subarray(end + 4);
    }
    // Server frames are unmasked; the ones here are short (7-bit length).
    while (this.#buffer.length >= 2 && this.#buffer.length >= 2 + (this.#buffer[1] & 0x7f)) {
      const length = this.#buffer[1] & 0x7f;
      if ((this.#buffer[0] & 0x0f) === 0x8) this.closeCode = this.#buffer.readUInt16BE(2);
      this.#buffer = this.#buffer.subarray(2 + length);
    }
  }
}

describe('sockets the server closes', () => {
  it('refused at the door: cut within the close timeout when the client never answers, and counted against the cap meanwhile', async () => {
    const s = await server({ maxConnections: 2, allowedOrigins: ['https://app.example'] });
    const origin = 'https://app.example';
    const a = client(s.url, { origin });
    assert.equal((await a.join('door')).type, 'welcome');

    const evil = new Mute(s.port, 'https://evil.example');
    await until(() => evil.closeCode, 'the foreign origin gets its close frame');
    assert.equal(evil.closeCode, 4403);
    assert.equal(await gauge(s, 'connections_closing'), 1, 'one socket being refused');
    assert.equal(await gauge(s, 'connections'), 1);
    // One admitted and one still being refused fill a cap of 2: the next is refused too (an
    // answering client, so it does not linger).
    const full = client(s.url, { origin });
    assert.equal((await full.closing()).code, 4503);

    // Well short of ws's own 30 s.
    await until(() => evil.endedAt, 'the server ends the unanswered socket', 3 * CLOSE_TIMEOUT_MS);
    await until(async () => (await gauge(s, 'connections_closing')) === 0, 'no socket being refused');
    // Its place is free again.
    const b = client(s.url, { origin });
    assert.equal((await b.join('door')).type, 'welcome');
    assert.equal(await gauge(s, 'connections'), 2);
    const refused = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    assert.match(refused, /^rtc_signal_messages_refused_total\{reason="forbidden-origin"\} 1$/m);
    assert.match(refused, /^rtc_signal_messages_refused_total\{reason="server-full"\} 1$/m);
  });

  it('past the cap’s worth of sockets being refused, more are cut at once', async () => {
    const s = await server({ maxConnections: 2, allowedOrigins: ['https://app.example'] });
    const mutes = [new Mute(s.port, 'https://evil.example'), new Mute(s.port, 'https://evil.example')];
    await until(() => mutes.every((m) => m.closeCode === 4403), 'both refused with a close frame');
    assert.equal(await gauge(s, 'connections_closing'), 2);
    const third = new Mute(s.port, 'https://evil.example');
    await until(() => third.endedAt, 'the third is cut', 1000);
    assert.equal(third.closeCode, undefined, 'cut without a close frame');
    assert.equal(mutes.filter((m) => m.endedAt !== undefined).length, 0, 'the first two are still within their close timeout');
    await until(() => mutes.every((m) => m.endedAt !== undefined), 'the first two cut too', 3 * CLOSE_TIMEOUT_MS);
    assert.equal(await gauge(s, 'connections_closing'), 0);
  });

  it('a join timeout on a client that never answers: cut within the close timeout, and the connection count goes down', async () => {
    const s = await server({ joinTimeoutMs: 200 });
    const idle = new Mute(s.port);
    await until(() => idle.upgraded, 'upgraded');
    await until(async () => (await gauge(s, 'connections')) === 1, 'counted as a connection');
    await until(() => idle.closeCode, 'the join timeout’s close frame');
    assert.equal(idle.closeCode, 4408);
    // Well short of ws's own 30 s.
    await until(() => idle.endedAt, 'the server ends the unanswered socket', 3 * CLOSE_TIMEOUT_MS);
    await until(async () => (await gauge(s, 'connections')) === 0, 'the connection count goes down');
  });
});
