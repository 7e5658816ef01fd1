import { expect } from '@open-wc/testing';
import { buildConstraints, describeVideoSettings, mergeConstraints, requestedDevice, withoutDevice } from './constraints.js';
import { toMediaError } from './media-error.js';

describe('constraints', () => {
  it('builds ideal sizes, exact devices and explicit processing switches', () => {
    expect(buildConstraints({ width: 320, height: 240, frameRate: 15, deviceId: 'cam', echoCancellation: false })).to.deep.equal({
      audio: { echoCancellation: false },
      video: { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 }, deviceId: { exact: 'cam' } },
    });
    expect(buildConstraints({ audio: false, width: -1 })).to.deep.equal({ audio: false, video: true });
  });

  it('reads sizes a framework set as strings, and ignores ones that are not numbers', () => {
    // Vue sets a custom element's property from a static attribute: width="320" arrives as "320".
    const asStrings = { width: '320', height: ' 240 ', frameRate: '15' } as unknown as { width: number; height: number; frameRate: number };
    expect(buildConstraints(asStrings).video).to.deep.equal({ width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } });
    const junk = { width: 'wide', height: '', frameRate: '0' } as unknown as { width: number; height: number; frameRate: number };
    expect(buildConstraints(junk).video).to.equal(true);
  });

  it('lays the constraints property over the attributes, kind by kind', () => {
    const base = buildConstraints({ width: 640 });
    expect(mergeConstraints(base, { video: { width: { exact: 1280 }, aspectRatio: 16 / 9 } })).to.deep.equal({
      audio: true,
      video: { width: { exact: 1280 }, aspectRatio: 16 / 9 },
    });
    expect(mergeConstraints(base, { audio: false })).to.deep.equal({ audio: false, video: { width: { ideal: 640 } } });
    expect(mergeConstraints(buildConstraints({ video: false }), { video: { width: 1 } }).video, 'no-video wins').to.equal(false);
  });

  it('reads and drops the device choice', () => {
    expect(requestedDevice({ deviceId: { exact: 'a' } })).to.equal('a');
    expect(requestedDevice({ deviceId: 'b' })).to.equal('b');
    expect(requestedDevice({ width: 1 })).to.equal(undefined);
    expect(withoutDevice({ video: { deviceId: { exact: 'a' }, width: { ideal: 1 } } }, 'video')).to.deep.equal({ video: { width: { ideal: 1 } } });
    expect(withoutDevice({ video: { deviceId: { exact: 'a' } } }, 'video')).to.deep.equal({ video: true });
  });

  it('describes settings as a person reads them', () => {
    expect(describeVideoSettings({ width: 640, height: 480, frameRate: 29.97 })).to.equal('640×480 @ 30');
    expect(describeVideoSettings(null)).to.equal('');
  });
});

describe('toMediaError', () => {
  it('maps every getUserMedia failure to a code and a sentence, naming the constraint', () => {
    const err = (name: string, extra: object = {}) => Object.assign(new DOMException('x', name), extra);
    expect(toMediaError(err('NotAllowedError')).code).to.equal('permission-denied');
    expect(toMediaError(err('NotFoundError'), 'audio').message).to.equal('No microphone was found. Connect one, then retry.');
    expect(toMediaError(err('NotReadableError'), 'video').code).to.equal('device-busy');
    const over = toMediaError({ name: 'OverconstrainedError', constraint: 'frameRate' }, 'video');
    expect([over.code, over.constraint, over.message]).to.deep.equal([
      'overconstrained',
      'frameRate',
      'No camera can satisfy the frameRate constraint.',
    ]);
    expect(toMediaError(new Error('weird')).code).to.equal('unknown');
  });
});
