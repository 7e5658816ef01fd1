/**
 * Acknowledgements as a client sees them: they ride on frames to it when there are any, and a
 * client that only sends still gets a standalone `ack` (about a second later), so it never has
 * to resend what the server applied.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinedPair, MEDIA_STATE, serverPerFile } from './support.js';

const file = serverPerFile();

const media = MEDIA_STATE;

describe('acknowledgements', () => {
  it('ride on the frames to a client, and come alone to a client that only sends', async () => {
    const { a, b, wa, wb, close } = await joinedPair(file.server.url, 'acks');
    try {
      assert.equal(wb.peers[0].id, wa.id);

      // a sends 3 numbered signals; b answers once: b's frame to a carries a's acknowledgement.
      for (let seq = 1; seq <= 3; seq++) a.send({ v: 1, type: 'signal', to: wb.id, data: media, seq });
      for (let seq = 1; seq <= 3; seq++) {
        const got = await b.next((f) => f.type === 'signal' && f.seq === seq, `signal ${seq} at b`);
        assert.equal(got.from, wa.id, 'from is stamped by the server');
      }
      b.send({ v: 1, type: 'signal', to: wa.id, data: media, seq: 1, ack: 3 });
      const answer = await a.next((f) => f.type === 'signal', 'signal at a');
      assert.equal(answer.ack, 3, "a's three signals are acknowledged on b's frame");

      // b now owes nothing and a sends nothing more; b's signal to a is owed an acknowledgement
      // and a sends nothing to ride on: it comes alone.
      const ack = await b.next((f) => f.type === 'ack', 'standalone ack at b', 5000);
      assert.equal(ack.seq, 1);
      assert.equal(a.frames.filter((f) => f.type === 'ack').length, 0, 'a was acknowledged already');
    } finally {
      close();
    }
  });
});
