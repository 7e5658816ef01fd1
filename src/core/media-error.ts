/** Maps what `getUserMedia` throws to a stable code and a sentence a user can act on. */

/** Why capture failed. */
export type MediaErrorCode =
  | 'permission-denied'
  | 'no-device'
  | 'device-busy'
  | 'overconstrained'
  | 'insecure-context'
  | 'track-ended'
  | 'unknown';

/** A capture failure with a code, a readable message and, when known, the constraint at fault. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly constraint?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** Classifies a `getUserMedia` rejection. */
export function toMediaError(err: unknown): MediaError {
  if (err instanceof MediaError) return err;
  const e = err as { name?: string; message?: string; constraint?: string };
  switch (e?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new MediaError('permission-denied', 'Camera and microphone access was denied.', undefined, err);
    case 'NotFoundError':
      return new MediaError('no-device', 'No camera or microphone was found.', undefined, err);
    case 'NotReadableError':
    case 'AbortError':
      return new MediaError(
        'device-busy',
        'The camera or microphone is in use by another application.',
        undefined,
        err,
      );
    case 'OverconstrainedError': {
      const c = e.constraint || 'a constraint';
      return new MediaError('overconstrained', `No device can satisfy ${c}.`, e.constraint, err);
    }
    default:
      return new MediaError('unknown', e?.message || 'Capture failed.', undefined, err);
  }
}

/** The error for a page where `navigator.mediaDevices` does not exist (not HTTPS or localhost). */
export const insecureContextError = () =>
  new MediaError(
    'insecure-context',
    'Camera access needs a secure page (HTTPS or localhost).',
  );
