/** Maps what `getUserMedia` throws to a stable code and a sentence a user can act on. */

/** Why capture failed. */
export type MediaErrorCode =
  | 'permission-denied'
  | 'no-device'
  | 'device-busy'
  | 'overconstrained'
  | 'insecure-context'
  | 'track-ended'
  | 'unsupported'
  | 'unknown';

/** A capture failure with a code, a readable message and, when known, the constraint at fault. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly constraint?: string,
    override readonly cause?: unknown,
    /** The kind of track that failed, when only one did. */
    readonly kind?: 'audio' | 'video',
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

const WHAT = { audio: 'microphone', video: 'camera' } as const;

/** Classifies a `getUserMedia` (or `applyConstraints`) rejection; `kind` names the device when only one was asked for. */
export function toMediaError(err: unknown, kind?: 'audio' | 'video'): MediaError {
  if (err instanceof MediaError) return err;
  const e = err as { name?: string; message?: string; constraint?: string };
  const what = kind ? WHAT[kind] : 'camera or microphone';
  const What = what[0].toUpperCase() + what.slice(1);
  switch (e?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new MediaError(
        'permission-denied',
        `${kind ? What : 'Camera and microphone'} access was denied. Allow it in the browser's site settings, then retry.`,
        undefined,
        err,
        kind,
      );
    case 'NotFoundError':
      return new MediaError('no-device', `No ${what} was found. Connect one, then retry.`, undefined, err, kind);
    case 'NotReadableError':
    case 'AbortError':
      return new MediaError(
        'device-busy',
        `The ${what} is in use by another application (or failed to start). Close the other application, then retry.`,
        undefined,
        err,
        kind,
      );
    case 'OverconstrainedError': {
      const c = e.constraint || 'a constraint';
      return new MediaError('overconstrained', `No ${what} can satisfy the ${c} constraint.`, e.constraint, err, kind);
    }
    default:
      return new MediaError('unknown', e?.message || 'Capture failed.', undefined, err, kind);
  }
}

/** A track that ended without our asking: the device was unplugged, or the OS or browser took it away. */
export const trackEndedError = (kind: 'audio' | 'video', fellBack: boolean) => {
  const what = WHAT[kind];
  return new MediaError(
    'track-ended',
    fellBack
      ? `The ${what} stopped (unplugged?). Switched to the default ${what}.`
      : `The ${what} stopped (unplugged?) and no other ${what} could be opened.`,
    undefined,
    undefined,
    kind,
  );
};

/** Classifies a `getDisplayMedia` rejection (other than the user cancelling the picker). */
export function toScreenShareError(err: unknown): MediaError {
  const base = toMediaError(err, 'video');
  const message =
    base.code === 'no-device'
      ? 'There is no screen to share.'
      : base.code === 'device-busy'
        ? 'The screen could not be captured. Try another window or tab.'
        : base.code === 'permission-denied'
          ? 'Screen sharing is blocked for this page.'
          : `Screen sharing failed: ${base.message}`;
  return new MediaError(base.code, message, base.constraint, err, 'video');
}

/** The error for a browser without `getDisplayMedia` (most mobile browsers). */
export const screenShareUnsupportedError = () =>
  new MediaError('unsupported', 'This browser cannot share the screen.', undefined, undefined, 'video');

/** The error for a page where `navigator.mediaDevices` does not exist (not HTTPS or localhost). */
export const insecureContextError = () =>
  new MediaError(
    'insecure-context',
    'Camera access needs a secure page (HTTPS or localhost).',
  );
