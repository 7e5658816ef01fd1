import { expect } from '@open-wc/testing';
import { defaultMeshPolicy } from './mesh-policy.js';

// Pure logic: what the default policy asks of each sender as a room grows (the effect on the
// wire is measured in src/elements/rtc-call/rtc-call.room.test.ts).
describe('defaultMeshPolicy', () => {
  it('shares about 2.4 Mbps of uplink among the copies and shrinks the picture from three people on', () => {
    const rows = [1, 2, 3, 4, 5, 6].map((n) => [n, defaultMeshPolicy(n).maxBitrate, defaultMeshPolicy(n).scaleResolutionDownBy]);
    expect(rows).to.deep.equal([
      [1, 1_500_000, 1],
      [2, 1_500_000, 1],
      [3, 1_200_000, 1.5],
      [4, 800_000, 2],
      [5, 600_000, 2],
      [6, 500_000, 2],
    ]);
    for (let n = 2; n <= 6; n++) {
      const uplink = (n - 1) * defaultMeshPolicy(n).maxBitrate;
      expect(uplink, `total uplink in a room of ${n}`).to.be.at.most(3_000_000);
    }
  });
});
