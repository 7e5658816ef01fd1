/**
 * A call's text chat on one data-channel label: the conversation, kept for the session's life
 * whether or not a chat element is on the page, so a chat taken out of the page (a closed tab
 * or panel) and put back misses nothing. One log per session and label, shared by every view.
 */
import type { CallSession } from './call-session.js';
import type { CallChannel, ChannelMessageEvent } from './data-channel.js';

/** Longest message sent or accepted, in characters. */
export const MAX_CHAT_LENGTH = 2000;
/** Messages kept. */
const HISTORY = 200;

/** One line of the conversation. */
export interface ChatMessage {
  key: number;
  /** Sender's participant id (ours for our own). */
  from: string;
  /** Sender's name as the room knows it ('' if none; views show their own word for "you" or a guest). */
  name: string;
  text: string;
  own: boolean;
  /** Our own message that did not reach everyone. */
  failed?: boolean;
}

/** Fired by a {@link ChatLog} for each message from another participant. */
export class ChatMessageEvent extends Event {
  constructor(readonly message: ChatMessage) {
    super('message');
  }
}

const logs = new WeakMap<CallSession, Map<string, ChatLog>>();
let keys = 0;

/** The conversation on one label of a call. Fires `change` on every new or updated message, and `message` ({@link ChatMessageEvent}) for others' messages. */
export class ChatLog extends EventTarget {
  /** The log of `session` on `label`, made (and its channel opened) on first use. */
  static of(session: CallSession, label: string): ChatLog {
    let byLabel = logs.get(session);
    if (!byLabel) logs.set(session, (byLabel = new Map()));
    let log = byLabel.get(label);
    if (!log) byLabel.set(label, (log = new ChatLog(session, session.channel(label))));
    return log;
  }

  #messages: readonly ChatMessage[] = [];

  private constructor(
    private readonly session: CallSession,
    readonly channel: CallChannel,
  ) {
    super();
    channel.addEventListener('message', (e) => this.#receive(e as ChannelMessageEvent));
  }

  /** The conversation so far (newest last, at most 200). */
  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** Sends `text` to everyone in the call and adds it; rejects (and marks it failed) if it did not reach everyone. */
  async send(text: string): Promise<void> {
    text = text.trim();
    if (!text) return;
    if (text.length > MAX_CHAT_LENGTH) throw new RangeError(`a chat message is limited to ${MAX_CHAT_LENGTH} characters`);
    const m: ChatMessage = { key: ++keys, from: this.session.state.localId ?? '', name: '', text, own: true };
    this.#add(m);
    try {
      await this.channel.send(JSON.stringify({ text }));
    } catch (err) {
      this.#messages = this.#messages.map((x) => (x === m ? { ...m, failed: true } : x));
      this.dispatchEvent(new Event('change'));
      throw err;
    }
  }

  #receive({ from, data }: ChannelMessageEvent): void {
    if (typeof data !== 'string') return;
    let text: unknown;
    try {
      text = (JSON.parse(data) as { text?: unknown }).text;
    } catch {
      return;
    }
    if (typeof text !== 'string' || !text.trim() || text.length > MAX_CHAT_LENGTH) return;
    const name = this.session.state.participants.find((p) => p.id === from)?.name ?? '';
    const m: ChatMessage = { key: ++keys, from, name, text, own: false };
    this.#add(m);
    this.dispatchEvent(new ChatMessageEvent(m));
  }

  #add(m: ChatMessage): void {
    this.#messages = [...this.#messages, m].slice(-HISTORY);
    this.dispatchEvent(new Event('change'));
  }
}
