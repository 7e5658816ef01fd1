import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { callContext } from '../../context/call-context.js';
import { ChangeController } from '../../context/change-controller.js';
import type { CallSession } from '../../core/call-session.js';
import type { CallChannel, ChannelMessageEvent } from '../../core/data-channel.js';
import { RtcChatMessageEvent } from '../../events/rtc-chat-message-event.js';
import { styles } from './rtc-chat.styles.js';
import { StringsController } from '../../context/strings-controller.js';
import { fill } from '../../core/strings.js';
import { DEFAULT_CHAT_STRINGS, type RtcChatStrings } from './rtc-chat-strings.js';

/** Longest message sent or accepted, in characters. */
export const MAX_CHAT_LENGTH = 2000;
/** Messages kept on screen. */
const HISTORY = 200;

/** One line of the conversation. */
export interface ChatMessage {
  key: number;
  /** Sender's participant id (ours for our own). */
  from: string;
  name: string;
  text: string;
  own: boolean;
}

let keys = 0;

/**
 * Text chat among everyone in the enclosing call, over a data channel of its session
 * (peer to peer, nothing through the signaling server). Every participant needs an
 * `<rtc-chat>` with the same `label`.
 *
 * @summary Chat with everyone in the call.
 * @csspart messages - The list of messages (a live region).
 * @csspart message - One message.
 * @csspart sender - The sender's name.
 * @csspart text - The message text.
 * @csspart empty - Shown while there are no messages.
 * @csspart form - The form to write a message.
 * @csspart input - The message field.
 * @csspart button - The Send button.
 * @csspart send - The Send button.
 * @cssproperty --rtc-chat-height - Height of the message list (default 14em).
 * @fires rtc-chat-message - A message from another participant arrived.
 */
@customElement('rtc-chat')
export class RtcChat extends LitElement {
  static override styles = styles;

  /** The data channel label; every side must use the same. */
  @property() label = 'rtc-chat';
  /** Texts to show instead of the English ones (any subset); wins over `setStrings({ 'rtc-chat': … })`. */
  @property({ attribute: false }) strings: Partial<RtcChatStrings> = {};

  /** The call to chat in; from the enclosing `<rtc-call>` unless set. */
  @consume({ context: callContext, subscribe: true })
  @property({ attribute: false })
  session?: CallSession;

  /** The conversation so far (newest last). */
  @state() messages: readonly ChatMessage[] = [];

  @query('input') private input?: HTMLInputElement;

  readonly #changes = new ChangeController(this, () => this.session);
  readonly #i18n = new StringsController(this, 'rtc-chat', DEFAULT_CHAT_STRINGS, () => this.strings);
  #channel?: CallChannel;
  #error = '';
  readonly #onMessage = (e: Event) => {
    const { from, data } = e as ChannelMessageEvent;
    if (typeof data !== 'string') return;
    let text: unknown;
    try {
      text = (JSON.parse(data) as { text?: unknown }).text;
    } catch {
      return;
    }
    if (typeof text !== 'string' || !text.trim() || text.length > MAX_CHAT_LENGTH) return;
    const name = this.session?.state.participants.find((p) => p.id === from)?.name || this.#i18n.s.guest;
    this.#add({ key: ++keys, from, name, text, own: false });
    this.dispatchEvent(new RtcChatMessageEvent(from, name, text));
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#bind(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session') || changed.has('label') || !this.#channel) this.#bind(this.session);
  }

  #bind(session: CallSession | undefined): void {
    const next = session && this.isConnected ? session.channel(this.label) : undefined;
    if (next === this.#channel) return;
    this.#channel?.removeEventListener('message', this.#onMessage);
    this.#channel = next;
    next?.addEventListener('message', this.#onMessage);
  }

  /** Sends `text` to everyone in the call and shows it. */
  async send(text: string): Promise<void> {
    const session = this.session;
    text = text.trim();
    if (!text || !session || !this.#channel) return;
    if (text.length > MAX_CHAT_LENGTH) throw new RangeError(`a chat message is limited to ${MAX_CHAT_LENGTH} characters`);
    this.#add({ key: ++keys, from: session.state.localId ?? '', name: this.#i18n.s.you, text, own: true });
    try {
      await this.#channel.send(JSON.stringify({ text }));
      this.#error = '';
    } catch (err) {
      this.#error = fill(this.#i18n.s.notDelivered, { message: (err as Error).message });
    }
    this.requestUpdate();
  }

  #add(m: ChatMessage): void {
    this.messages = [...this.messages, m].slice(-HISTORY);
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = this.input;
    if (!input?.value.trim()) return;
    const text = input.value;
    input.value = '';
    await this.send(text);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('messages')) {
      const list = this.renderRoot.querySelector('[part~="messages"] ol');
      list?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
    }
  }

  protected override render() {
    const joined = this.session?.state.status === 'joined';
    const s = this.#i18n.s;
    return html`
      <div part="messages" role="log" aria-live="polite" aria-label=${s.messages} tabindex="0">
        ${this.messages.length === 0 ? html`<p part="empty">${s.empty}</p>` : nothing}
        <ol>${repeat(
          this.messages,
          (m) => m.key,
          (m) => html`<li part="message" ?data-own=${m.own}>
            <span part="sender">${m.name}</span><span class="sr-only">: </span><span part="text">${m.text}</span>
          </li>`,
        )}</ol>
      </div>
      ${this.#error ? html`<p role="alert">${this.#error}</p>` : nothing}
      <form part="form" @submit=${this.#submit}>
        <label for="message" class="sr-only">${s.label}</label>
        <input
          id="message"
          part="input"
          name="message"
          autocomplete="off"
          maxlength=${MAX_CHAT_LENGTH}
          placeholder=${joined ? s.placeholder : s.placeholderOutside}
          ?disabled=${!joined}
        />
        <button part="button send" type="submit" ?disabled=${!joined}>${s.send}</button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-chat': RtcChat;
  }
}
