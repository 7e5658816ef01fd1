import { expect } from '@open-wc/testing';
import { countersOf, peerRates } from './stats.js';
import { formatBitrate } from './format.js';

const report = (ts: number, sentVideo: number, sentAudio: number, recvVideo: number) => [
  { id: 'o-v', type: 'outbound-rtp', kind: 'video', timestamp: ts, bytesSent: sentVideo },
  { id: 'o-a', type: 'outbound-rtp', kind: 'audio', timestamp: ts, bytesSent: sentAudio },
  { id: 'i-v', type: 'inbound-rtp', kind: 'video', timestamp: ts, bytesReceived: recvVideo },
  { id: 'cp', type: 'candidate-pair', timestamp: ts, bytesSent: 1e9 },
];

describe('stats rates', () => {
  it('computes bits per second per kind and direction between two reports', () => {
    const a = countersOf(report(1000, 0, 0, 0));
    const b = countersOf(report(2000, 50_000, 4_000, 25_000));
    const p = peerRates('x', a, b);
    expect(p.video.sendBitrate).to.equal(400_000);
    expect(p.audio.sendBitrate).to.equal(32_000);
    expect(p.sendBitrate).to.equal(432_000);
    expect(p.receiveBitrate).to.equal(200_000);
  });

  it('gives zero on the first report and for a counter that went backwards', () => {
    const b = countersOf(report(2000, 50_000, 4_000, 25_000));
    expect(peerRates('x', undefined, b).sendBitrate).to.equal(0);
    const c = countersOf(report(3000, 10, 4_000, 25_000));
    expect(peerRates('x', b, c).video.sendBitrate).to.equal(0);
  });

  it('formats bitrates with units', () => {
    expect(formatBitrate(812_400, 'en')).to.equal('812 kbps');
    expect(formatBitrate(1_450_000, 'en')).to.equal('1.5 Mbps');
    expect(formatBitrate(NaN)).to.equal('—');
  });
});
