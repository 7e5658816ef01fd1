/** The context key through which `<rtc-call>` provides its call session to its subtree. */
import { createContext } from '@lit/context';
import type { CallSession } from '../core/call-session.js';

/**
 * Provided by `<rtc-call>`: its `CallSession`, a stable object for the element's life, which
 * announces its own changes (consumers listen to it rather than to context updates).
 */
export const callContext = createContext<CallSession | undefined>(Symbol('rtc-call-session'));
