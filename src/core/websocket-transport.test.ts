/** The WebSocket transport against the real signaling server on 127.0.0.1. */
import { expect } from '@open-wc/testing';
import { WebSocketTransport } from './websocket-transport.js';
import { signalingUrl } from '../test-support/call-helpers.js';

describe('WebSocketTransport', () => {
  it('connect() settles (fails) when the transport is closed while connecting', async () => {
    const t = new WebSocketTransport(await signalingUrl());
    const connecting = t.connect();
    t.close();
    const outcome = await Promise.race([
      connecting.then(
        () => 'resolved',
        () => 'rejected',
      ),
      new Promise((r) => setTimeout(() => r('still pending after 3 s'), 3000)),
    ]);
    expect(outcome).to.equal('rejected');
  });

  it('reports the server closing the socket through onclose, with its code', async () => {
    const t = new WebSocketTransport(await signalingUrl());
    await t.connect();
    const closed = new Promise<number>((r) => (t.onclose = (info) => r(info.code)));
    t.send({ v: 1, type: 'join', room: 'r', name: 'x'.repeat(70_000) }); // over the 64 KiB frame cap: 1009
    expect(await closed).to.equal(1009);
  });
});
