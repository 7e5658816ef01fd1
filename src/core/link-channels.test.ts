import { expect } from '@open-wc/testing';
import { channelId } from './data-channel.js';
import { LinkChannels } from './link-channels.js';

describe('LinkChannels: what the other side announces', () => {
  let pc: RTCPeerConnection;
  let opened: string[];
  let sent: string[];
  let links: LinkChannels;
  beforeEach(() => {
    pc = new RTCPeerConnection();
    opened = [];
    sent = [];
    links = new LinkChannels(
      pc,
      (text) => (sent.push(text), true),
      (label) => opened.push(label),
      (err) => {
        throw err;
      },
    );
  });
  afterEach(() => {
    links.close();
    pc.close();
  });

  it('opens an announced channel it lacks, with the announced options, and says it has it', () => {
    links.peerChannels([{ label: 'game', id: channelId('game'), ordered: false, maxRetransmits: 0 }]);
    expect(opened).to.deep.equal(['game']);
    const announced = JSON.parse(sent.at(-1)!);
    expect(announced).to.deep.equal({ t: 'channels', open: [{ label: 'game', id: channelId('game'), ordered: false, maxRetransmits: 0 }] });
  });

  it('ignores malformed, forged and reserved announcements, and opens at most 32 for a peer', () => {
    links.peerChannels('not a list');
    links.peerChannels([
      null,
      42,
      { label: 'chat' }, // no id
      { label: 'chat', id: channelId('chat') + 1 }, // an id that is not the label's
      { label: 'rtc-control', id: channelId('rtc-control') }, // the kit's own
      { label: '', id: channelId('') },
      { label: 'x'.repeat(300), id: channelId('x'.repeat(300)) },
    ]);
    expect(opened).to.deep.equal([]);
    const many = Array.from({ length: 100 }, (_, i) => ({ label: `l${i}`, id: channelId(`l${i}`) }));
    links.peerChannels(many);
    links.peerChannels(many.slice(40));
    expect(opened.length).to.be.at.most(32);
    expect(opened.length).to.be.at.least(20); // some labels hash to the same id: the first one wins
  });

  it('releases a send once the other side has the channel, and fails it when the connection closes first', async () => {
    const ready: Promise<void>[] = [];
    const waiting = new LinkChannels(pc, () => true, (_l, _dc, peerReady) => ready.push(peerReady), () => {});
    waiting.open({ label: 'a', id: channelId('a'), options: {} });
    waiting.open({ label: 'b', id: channelId('b'), options: {} });
    waiting.peerChannels([{ label: 'a', id: channelId('a') }]);
    await ready[0]; // resolves
    waiting.close();
    let error: unknown;
    await ready[1].catch((e) => (error = e));
    expect(String(error)).to.include('connection closed');
  });
});
