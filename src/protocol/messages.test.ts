import { expect } from '@open-wc/testing';
import { MAX_FRAME_BYTES, parseClientMessage, parseServerMessage } from './messages.js';

describe('protocol validators', () => {
  it('accepts a join, a signal with a description or a candidate, and a leave', () => {
    expect(parseClientMessage('{"v":1,"type":"join","room":"abc","name":"Ada"}').ok).to.be.true;
    expect(parseClientMessage('{"v":1,"type":"join","room":"\\ud83d\\ude00 party"}').ok, 'a surrogate pair is fine').to.be.true;
    expect(parseClientMessage('{"v":1,"type":"signal","to":"x-1","data":{"description":{"type":"offer","sdp":"v=0"}}}').ok).to.be.true;
    expect(parseClientMessage('{"v":1,"type":"signal","to":"x-1","data":{"candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}}}').ok).to.be.true;
    expect(parseClientMessage('{"v":1,"type":"leave"}').ok).to.be.true;
  });

  it('refuses malformed frames with a code', () => {
    const cases: [unknown, string][] = [
      ['{not json', 'bad-json'],
      ['[1,2]', 'bad-message'],
      ['{"v":2,"type":"join","room":"a"}', 'unsupported-version'],
      ['{"v":1,"type":"join"}', 'bad-message'],
      ['{"v":1,"type":"join","room":""}', 'bad-message'],
      ['{"v":1,"type":"join","room":"a\\ud800"}', 'bad-message'],
      ['{"v":1,"type":"join","room":"\\udc00b"}', 'bad-message'],
      [`{"v":1,"type":"join","room":"${'r'.repeat(200)}"}`, 'bad-message'],
      ['{"v":1,"type":"join","room":"a","name":"a\\u0000b"}', 'bad-message'],
      ['{"v":1,"type":"signal","to":"x","data":{"description":{"type":"bogus"}}}', 'bad-message'],
      ['{"v":1,"type":"signal","to":"x","data":{"candidate":{"candidate":5}}}', 'bad-message'],
      ['{"v":1,"type":"signal","to":"x","data":{"description":{"type":"offer"},"candidate":{"candidate":""}}}', 'bad-message'],
      ['{"v":1,"type":"signal","to":"../x","data":{"candidate":{"candidate":""}}}', 'bad-message'],
      ['{"v":1,"type":"shout"}', 'bad-message'],
      [new ArrayBuffer(4), 'bad-message'],
      ['x'.repeat(MAX_FRAME_BYTES + 1), 'bad-message'],
    ];
    for (const [frame, code] of cases) {
      const parsed = parseClientMessage(frame);
      expect(parsed.ok, String(frame).slice(0, 60)).to.be.false;
      if (!parsed.ok) expect(parsed.code, String(frame).slice(0, 60)).to.equal(code);
    }
  });

  it('strips unknown fields from client messages', () => {
    const parsed = parseClientMessage('{"v":1,"type":"join","room":"a","from":"forged"}');
    expect(parsed.ok && parsed.message).to.deep.equal({ v: 1, type: 'join', room: 'a', name: undefined });
  });

  it('validates server messages too', () => {
    expect(parseServerMessage('{"v":1,"type":"welcome","id":"a","room":"r","peers":[{"id":"b","name":"Bob"}]}').ok).to.be.true;
    expect(parseServerMessage('{"v":1,"type":"welcome","id":"a","room":"r","peers":[{"id":5}]}').ok).to.be.false;
    expect(parseServerMessage('{"v":1,"type":"signal","from":"a","data":{}}').ok).to.be.false;
  });

  it('takes fresh ICE servers, and only well-formed ones', () => {
    const fresh = '{"v":1,"type":"ice-servers","iceServers":[{"urls":["turn:t.example:3478"],"username":"1700000000:a","credential":"c2VjcmV0"}]}';
    const parsed = parseServerMessage(fresh);
    expect(parsed.ok && parsed.message.type === 'ice-servers' && parsed.message.iceServers[0].username).to.equal('1700000000:a');
    expect(parseServerMessage('{"v":1,"type":"ice-servers"}').ok).to.be.false;
    expect(parseServerMessage('{"v":1,"type":"ice-servers","iceServers":[{"urls":5}]}').ok).to.be.false;
  });
});
