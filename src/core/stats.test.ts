// Pure logic over report entries shaped like Chromium's (real-call behaviour is proven in
// src/elements/rtc-stats/*.test.ts); the quality thresholds and MOS formula are checked here.
import { expect } from '@open-wc/testing';
import { peerStats, ReportReader, sampleOf, snapshotOf } from './stats.js';
import { estimateMos, scoreQuality, worstQuality } from './quality.js';
import { formatBitrate, formatMs, formatPercent, parseBitrateValue } from './format.js';
import { StatsFeed } from './stats-sampler.js';

const report = (
  ts: number,
  o: { sentVideo: number; sentAudio: number; recvVideo: number; recvAudio?: number; lostAudio?: number; recvPkts?: number },
) => [
  { id: 'o-v', type: 'outbound-rtp', kind: 'video', timestamp: ts, bytesSent: o.sentVideo, packetsSent: ts / 10, codecId: 'c-vp8', frameWidth: 640, frameHeight: 480, framesPerSecond: 30, qualityLimitationReason: 'bandwidth' },
  { id: 'o-a', type: 'outbound-rtp', kind: 'audio', timestamp: ts, bytesSent: o.sentAudio, packetsSent: ts / 20, codecId: 'c-opus' },
  { id: 'ri-a', type: 'remote-inbound-rtp', kind: 'audio', localId: 'o-a', timestamp: ts, packetsLost: 0, fractionLost: 0.02, jitter: 0.004, roundTripTime: 0.12 },
  { id: 'i-v', type: 'inbound-rtp', kind: 'video', timestamp: ts, bytesReceived: o.recvVideo, packetsReceived: ts / 10, packetsLost: 0, jitter: 0.02, codecId: 'c-vp8', frameWidth: 320, frameHeight: 240, framesPerSecond: 15 },
  { id: 'i-a', type: 'inbound-rtp', kind: 'audio', timestamp: ts, bytesReceived: o.recvAudio ?? 0, packetsReceived: o.recvPkts ?? ts / 20, packetsLost: o.lostAudio ?? 0, jitter: 0.005, codecId: 'c-opus' },
  { id: 'c-vp8', type: 'codec', mimeType: 'video/VP8', timestamp: ts },
  { id: 'c-opus', type: 'codec', mimeType: 'audio/opus', timestamp: ts },
  { id: 't', type: 'transport', selectedCandidatePairId: 'cp', timestamp: ts },
  { id: 'cp', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', currentRoundTripTime: 0.11, availableOutgoingBitrate: 2_500_000, timestamp: ts, bytesSent: 1e9 },
  { id: 'l', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'udp', timestamp: ts },
  { id: 'r', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', timestamp: ts },
];

describe('stats from reports', () => {
  it('computes bits per second per kind and direction between two reports', () => {
    const a = snapshotOf(report(1000, { sentVideo: 0, sentAudio: 0, recvVideo: 0 }));
    const b = snapshotOf(report(2000, { sentVideo: 50_000, sentAudio: 4_000, recvVideo: 25_000 }));
    const p = peerStats('x', a, b);
    expect(p.video.sendBitrate).to.equal(400_000);
    expect(p.audio.sendBitrate).to.equal(32_000);
    expect(p.sendBitrate).to.equal(432_000);
    expect(p.receiveBitrate).to.equal(200_000);
    const s = sampleOf([p, { ...p, id: 'y' }], 2000, 1000);
    expect(s.sendBitrate).to.equal(864_000);
  });

  it('gives zero on the first report and for a counter that went backwards', () => {
    const b = snapshotOf(report(2000, { sentVideo: 50_000, sentAudio: 4_000, recvVideo: 25_000 }));
    expect(peerStats('x', undefined, b).sendBitrate).to.equal(0);
    const c = snapshotOf(report(3000, { sentVideo: 10, sentAudio: 4_000, recvVideo: 25_000 }));
    expect(peerStats('x', b, c).video.sendBitrate).to.equal(0);
  });

  it('reads loss, jitter, round trip, video, codec, limitation and the relayed path', () => {
    const a = snapshotOf(report(1000, { sentVideo: 0, sentAudio: 0, recvVideo: 0, recvPkts: 100, lostAudio: 0 }));
    const b = snapshotOf(report(2000, { sentVideo: 1, sentAudio: 1, recvVideo: 1, recvPkts: 190, lostAudio: 10 }));
    const p = peerStats('x', a, b, 'connected', 'Ada');
    expect(p.name).to.equal('Ada');
    expect(p.audio.receive!.packetsLost).to.equal(10); // 10 of 100 expected
    expect(p.audio.send!.packetsLost).to.be.closeTo(2, 1e-9); // fractionLost 0.02
    expect(p.audio.receive!.jitter).to.equal(5);
    expect(p.audio.send!.roundTripTime).to.equal(120);
    expect(p.video.send).to.include({ codec: 'VP8', frameWidth: 640, frameHeight: 480, framesPerSecond: 30, qualityLimitationReason: 'bandwidth' });
    expect(p.video.receive).to.include({ codec: 'VP8', frameWidth: 320, framesPerSecond: 15 });
    expect(p.audio.receive!.codec).to.equal('opus');
    expect(p.connection).to.include({ localCandidateType: 'relay', remoteCandidateType: 'host', path: 'relay', protocol: 'udp', roundTripTime: 110, availableOutgoingBitrate: 2_500_000 });
    expect(p.audio.mos).to.be.within(1, 4.5);
    // The verdict counts incoming loss over both streams: 10 lost of 200 expected.
    expect(p.quality.level).to.equal('poor');
    expect(p.quality.reasons[0]).to.include({ metric: 'loss', level: 'poor', value: 5 });
  });

  it('finds the selected pair without transport stats (Firefox) and says direct', () => {
    const entries = report(1000, { sentVideo: 0, sentAudio: 0, recvVideo: 0 }).filter((e) => e.type !== 'transport');
    (entries.find((e) => e.id === 'cp') as Record<string, unknown>).selected = true;
    (entries.find((e) => e.id === 'l') as Record<string, unknown>).candidateType = 'host';
    const p = peerStats('x', undefined, snapshotOf(entries));
    expect(p.connection.path).to.equal('direct');
  });
});

describe('ReportReader', () => {
  // A report as Chromium gives it, counting what is read: entries no figure uses beside the rest.
  const live = (ts: number, extra: Record<string, unknown>[] = [], change: (e: Record<string, unknown>[]) => void = () => {}) => {
    const entries: Record<string, unknown>[] = [
      ...report(ts, { sentVideo: ts * 10, sentAudio: ts, recvVideo: ts * 5 }),
      { id: 'cert', type: 'certificate', timestamp: ts },
      { id: 'l2', type: 'local-candidate', candidateType: 'host', timestamp: ts },
      { id: 'cp2', type: 'candidate-pair', localCandidateId: 'l2', remoteCandidateId: 'r', timestamp: ts },
      { id: 'ms', type: 'media-source', kind: 'video', timestamp: ts },
      ...extra,
    ];
    change(entries);
    const map = new Map(entries.map((e) => [e.id as string, e as { id: string; type: string; timestamp: number }]));
    const counts = { got: 0, listed: 0 };
    return {
      counts,
      size: map.size,
      get: (id: string) => (counts.got++, map.get(id)),
      values: () => (counts.listed++, map.values()),
    };
  };

  it('reads only the entries the figures use once it knows them, with the same figures as a full read', () => {
    const reader = new ReportReader();
    const first = live(1000);
    const a = reader.read(first);
    expect(first.counts.listed, 'the first read lists the report').to.equal(1);
    expect([...a.keys()].sort()).to.deep.equal(['c-opus', 'c-vp8', 'cp', 'i-a', 'i-v', 'l', 'o-a', 'o-v', 'r', 'ri-a', 't']);
    const second = live(2000);
    const b = reader.read(second);
    expect(second.counts.listed, 'the second read goes by id').to.equal(0);
    expect(second.counts.got).to.equal(11);
    expect(peerStats('x', a, b)).to.deep.equal(peerStats('x', snapshotOf(live(1000)), snapshotOf(live(2000))));
  });

  it('reads the whole report again when its shape changes: a new entry, a new selected pair, a new codec, an entry gone', () => {
    const reader = new ReportReader();
    const listed = (r: ReturnType<typeof live>) => (reader.read(r), r.counts.listed);
    listed(live(1000));
    expect(listed(live(2000, [{ id: 'o-v2', type: 'outbound-rtp', kind: 'video', timestamp: 2000, bytesSent: 1 }])), 'a new stream').to.equal(1);
    expect(listed(live(3000)), 'a stream gone').to.equal(1);
    const moved = live(4000, [], (e) => ((e.find((x) => x.id === 't')!.selectedCandidatePairId = 'cp2')));
    expect(listed(moved), 'another selected pair').to.equal(1);
    expect(reader.read(live(4500, [], (e) => ((e.find((x) => x.id === 't')!.selectedCandidatePairId = 'cp2')))).has('l2'), 'with its candidates').to.equal(true);
    const vp9 = (e: Record<string, unknown>[]) => {
      e.filter((x) => x.codecId === 'c-vp8').forEach((x) => (x.codecId = 'c-vp9'));
      e.find((x) => x.id === 'c-vp8')!.id = 'c-vp9';
    };
    expect(listed(live(5000, [], vp9)), 'a codec not read before').to.equal(1);
    expect(listed(live(5500, [], vp9)), 'then by id again').to.equal(0);
    const replaced = (e: Record<string, unknown>[]) => e.splice(e.findIndex((x) => x.id === 'ri-a'), 1, { id: 'ri-a2', type: 'remote-inbound-rtp', timestamp: 6000 });
    expect(listed(live(6000, [], replaced)), 'an entry replaced by another of the same count').to.equal(1);
  });

  type E = { id: string; type: string; timestamp: number; [k: string]: unknown };
  const asReport = (entries: E[]) => new Map(entries.map((e) => [e.id, e]));

  it('a switch to a pair not read before does not make a paused but live path "lost"', () => {
    // Incoming video paused on purpose (nothing on the stream), the heartbeat still arriving on the
    // path; Chromium then switches to another pair that already existed.
    const paused = (ts: number, selected: string, cpBytes: number, cp2Bytes: number): E[] => [
      { id: 'i-v', type: 'inbound-rtp', kind: 'video', timestamp: ts, bytesReceived: 5000, packetsReceived: 100, packetsLost: 0, jitter: 0.001, codecId: 'c-vp8' },
      { id: 'c-vp8', type: 'codec', mimeType: 'video/VP8', timestamp: ts },
      { id: 't', type: 'transport', selectedCandidatePairId: selected, timestamp: ts, bytesReceived: cpBytes + cp2Bytes },
      { id: 'cp', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', timestamp: ts, bytesReceived: cpBytes },
      { id: 'cp2', type: 'candidate-pair', localCandidateId: 'l2', remoteCandidateId: 'r', timestamp: ts, bytesReceived: cp2Bytes },
      { id: 'l', type: 'local-candidate', candidateType: 'relay', timestamp: ts },
      { id: 'l2', type: 'local-candidate', candidateType: 'host', timestamp: ts },
      { id: 'r', type: 'remote-candidate', candidateType: 'host', timestamp: ts },
    ];
    const reports = [paused(1000, 'cp', 1000, 100), paused(2000, 'cp', 2000, 100), paused(3000, 'cp2', 2000, 600)];
    const reader = new ReportReader();
    const [, b, c] = reports.map((r) => reader.read(asReport(r)));
    expect(peerStats('x', b, c).quality.level).to.equal('excellent');
    expect(peerStats('x', snapshotOf(reports[1]), snapshotOf(reports[2])).quality.level).to.equal('excellent');
  });

  it('finds within five reads a stream that came as an unused entry went (the size unchanged)', () => {
    const call = (ts: number, extra: E[], pruned: boolean): E[] => [
      { id: 'o-v', type: 'outbound-rtp', kind: 'video', timestamp: ts, bytesSent: ts * 10, packetsSent: ts / 10, codecId: 'c-vp8', frameWidth: 320, frameHeight: 180 },
      { id: 'c-vp8', type: 'codec', mimeType: 'video/VP8', timestamp: ts },
      { id: 't', type: 'transport', selectedCandidatePairId: 'cp', timestamp: ts },
      { id: 'cp', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', timestamp: ts, bytesReceived: ts },
      { id: 'l', type: 'local-candidate', candidateType: 'host', timestamp: ts },
      { id: 'r', type: 'remote-candidate', candidateType: 'host', timestamp: ts },
      ...(pruned ? [] : [{ id: 'cp-pruned', type: 'candidate-pair', localCandidateId: 'x', remoteCandidateId: 'y', timestamp: ts }]),
      ...extra,
    ];
    // A first RTCP report about our video: round trip and loss as the other side measures them.
    const rtcp = (ts: number): E[] => [{ id: 'ri-v', type: 'remote-inbound-rtp', kind: 'video', localId: 'o-v', timestamp: ts, fractionLost: 0.1, jitter: 0.01, roundTripTime: 0.2 }];
    const reader = new ReportReader();
    reader.read(asReport(call(1000, [], false)));
    const snaps = [];
    for (let ts = 2000; ts <= 7000; ts += 1000) snaps.push(reader.read(asReport(call(ts, rtcp(ts), true))));
    expect(snaps.map((x) => x.has('ri-v'))).to.deep.equal([false, false, false, false, true, true]);
    expect(peerStats('x', snaps[4], snaps[5]).video.send?.roundTripTime).to.equal(200);
  });

  it('reads every report whole where no transport names the selected pair (Firefox)', () => {
    const reader = new ReportReader();
    const noTransport = (ts: number) => live(ts, [], (e) => e.splice(e.findIndex((x) => x.id === 't'), 1));
    reader.read(noTransport(1000));
    const second = noTransport(2000);
    const b = reader.read(second);
    expect(second.counts.listed).to.equal(1);
    expect(b.has('cp') && b.has('cp2'), 'every pair, for the selected one to be found').to.equal(true);
  });
});

describe('quality', () => {
  it('is excellent on a clean fast link and names each metric that pulls it down', () => {
    expect(scoreQuality({ loss: 0, roundTripTime: 20, jitter: 3 })).to.deep.equal({ level: 'excellent', reasons: [] });
    expect(scoreQuality({ loss: 2, roundTripTime: 20, jitter: 3 }).level).to.equal('good');
    // Nothing arrived although streams were flowing: lost, for the connection, whatever the state says.
    expect(scoreQuality({ connectionState: 'connected', loss: null, roundTripTime: 20, jitter: null, silent: true }).reasons)
      .to.deep.equal([{ metric: 'connection', level: 'lost', value: null }]);
    const poor = scoreQuality({ loss: 2, roundTripTime: 420, jitter: 3 });
    expect(poor.level).to.equal('poor');
    expect(poor.reasons.map((r) => r.metric)).to.deep.equal(['delay', 'loss']);
    expect(scoreQuality({ loss: 60, roundTripTime: 10, jitter: 1 }).level).to.equal('lost');
    expect(scoreQuality({ connectionState: 'disconnected', loss: null, roundTripTime: null, jitter: null }).reasons[0].metric).to.equal('connection');
    expect(scoreQuality({ loss: null, roundTripTime: null, jitter: 80 }).reasons[0]).to.include({ metric: 'jitter', level: 'poor' });
  });

  it('takes the worst of several participants', () => {
    const q = worstQuality([scoreQuality({ loss: 0, roundTripTime: 10, jitter: 1 }), scoreQuality({ loss: 8, roundTripTime: 10, jitter: 1 })]);
    expect(q!.level).to.equal('poor');
    expect(worstQuality([])).to.equal(null);
  });

  it('estimates MOS: ~4.4 on a clean link, lower with loss and delay', () => {
    expect(estimateMos(20, 2, 0)).to.be.within(4.3, 4.5);
    expect(estimateMos(20, 2, 10)).to.be.below(estimateMos(20, 2, 0));
    expect(estimateMos(600, 30, 0)).to.be.below(3.6);
    expect(estimateMos(2000, 200, 60)).to.equal(1);
  });
});

describe('formatting', () => {
  it('formats bitrates, milliseconds and percentages with localizable units', () => {
    expect(formatBitrate(812_400, 'en')).to.equal('812 kbps');
    expect(formatBitrate(1_450_000, 'en')).to.equal('1.5 Mbps');
    expect(formatBitrate(999_400, 'en')).to.equal('999 kbps');
    expect(formatBitrate(999_700, 'en'), 'not "1,000 kbps"').to.equal('1 Mbps');
    expect(formatBitrate(1_450_000, 'de', { kbps: 'kbit/s', Mbps: 'Mbit/s', ms: 'ms', fps: 'B/s' })).to.equal('1,5 Mbit/s');
    expect(formatBitrate(NaN)).to.equal('—');
    expect(formatMs(3.24, 'en')).to.equal('3.2 ms');
    expect(formatMs(420.4, 'en')).to.equal('420 ms');
    expect(formatPercent(12, 'en')).to.equal('12%');
    expect(formatPercent(2.5, 'fr')).to.match(/^2,5\s%$/);
  });

  it('reads bitrate attributes with or without units', () => {
    expect(parseBitrateValue('200000')).to.equal(200_000);
    expect(parseBitrateValue('200k')).to.equal(200_000);
    expect(parseBitrateValue('200 kbps')).to.equal(200_000);
    expect(parseBitrateValue('1.5M')).to.equal(1_500_000);
    expect(parseBitrateValue('')).to.equal(null);
    expect(parseBitrateValue('fast')).to.equal(null);
    expect(parseBitrateValue('-5')).to.equal(null);
  });
});

describe('StatsFeed', () => {
  it('runs its producer only while subscribed and keeps the latest sample and history', async () => {
    let running = 0;
    const feed = new StatsFeed((push) => {
      running++;
      push(sampleOf([], 1000, 0));
      push(sampleOf([], 2000, 1000));
      return () => running--;
    });
    expect(running).to.equal(0);
    const release = feed.subscribe();
    expect(running).to.equal(1);
    expect(feed.latest!.timestamp).to.equal(2000);
    expect(feed.history().map((p) => p.timestamp)).to.deep.equal([1000, 2000]);
    release();
    expect(running).to.equal(0);
  });

  it('keeps history points at least 0.6 s apart, the newest always current', () => {
    const feed = new StatsFeed();
    // A sampler four times a second for three seconds: 13 samples.
    for (let t = 1000; t <= 4000; t += 250) feed.push({ ...sampleOf([], t, 250), sendBitrate: t });
    const points = feed.history();
    expect(points.length).to.be.within(4, 6);
    expect(points.at(-1)).to.include({ timestamp: 4000, send: 4000 });
    for (let i = 1; i < points.length - 1; i++) expect(points[i].timestamp - points[i - 1].timestamp).to.be.at.least(600);
    // Once a second (with a late timer) keeps every sample.
    const steady = new StatsFeed();
    for (const t of [1000, 2010, 2990, 4000, 5020]) steady.push(sampleOf([], t, 1000));
    expect(steady.history().length).to.equal(5);
  });
});

