import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { callContext } from '../../context/call-context.js';
import { ChangeController } from '../../context/change-controller.js';
import type { CallSession } from '../../core/call-session.js';
import { ChatLog, MAX_CHAT_LENGTH, type ChatMessage, type ChatMessageEvent } from '../../core/chat-log.js';
import { RtcChatMessageEvent } from '../../events/rtc-chat-message-event.js';
import { styles } from './rtc-chat.styles.js';
import { StringsController } from '../../context/strings-controller.js';
import { fill } from '../../core/strings.js';
import { DEFAULT_CHAT_STRINGS, type RtcChatStrings } from './rtc-chat-strings.js';

export { MAX_CHAT_LENGTH, type ChatMessage } from '../../core/chat-log.js';

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
 * @csspart failed - On one of our messages that did not reach everyone (the message also has `data-failed`).
 * @csspart empty - Shown while there are no messages.
 * @csspart error - Why the last message could not be sent (too long, not delivered).
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

  @query('input') private input?: HTMLInputElement;

  // Of the call's state, only whether it is joined shows (the field is enabled then).
  readonly #changes = new ChangeController(this, () => this.session, 'change', () => this.session?.state.status);
  readonly #i18n = new StringsController(this, 'rtc-chat', DEFAULT_CHAT_STRINGS, () => this.strings);
  /** The conversation, kept by the session (so nothing is missed while this element is out of the page). */
  #log?: ChatLog;
  #error = '';
  #shown = 0;
  /** The log was scrolled to its end before this update: new messages keep it there. */
  #followLog = true;
  readonly #onChange = () => this.requestUpdate();
  readonly #onMessage = (e: Event) => {
    const { from, name, text } = (e as ChatMessageEvent).message;
    this.dispatchEvent(new RtcChatMessageEvent(from, name || this.#i18n.s.guest, text));
  };

  /** The conversation so far (newest last). */
  get messages(): readonly ChatMessage[] {
    return this.#log?.messages ?? [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#bind(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session') || changed.has('label') || !this.#log) this.#bind(this.session);
    // Read before the new messages render: whoever scrolled up to reread is left there.
    const log = this.renderRoot.querySelector?.('[part~="messages"]');
    this.#followLog = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 8;
  }

  #bind(session: CallSession | undefined): void {
    const next = session && this.isConnected ? ChatLog.of(session, this.label) : undefined;
    if (next === this.#log) return;
    this.#log?.removeEventListener('change', this.#onChange);
    this.#log?.removeEventListener('message', this.#onMessage);
    this.#log = next;
    next?.addEventListener('change', this.#onChange);
    next?.addEventListener('message', this.#onMessage);
  }

  /** Sends `text` to everyone in the call and shows it (marked if it did not reach everyone). */
  async send(text: string): Promise<void> {
    const log = this.#log;
    if (!log || !this.session) return;
    try {
      await log.send(text);
      this.#error = '';
    } catch (err) {
      if (err instanceof RangeError) throw err;
      this.#error = fill(this.#i18n.s.notDelivered, { message: (err as Error).message });
    }
    this.requestUpdate();
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = this.input;
    if (!input?.value.trim()) return;
    if (input.value.trim().length > MAX_CHAT_LENGTH) {
      // Only a value set from script gets past the field's maxlength: say so, and keep the text.
      this.#error = fill(this.#i18n.s.tooLong, { max: String(MAX_CHAT_LENGTH) });
      this.requestUpdate();
      return;
    }
    const text = input.value;
    input.value = '';
    await this.send(text);
  }

  protected override updated(): void {
    if (this.messages.length === this.#shown) return;
    const own = this.messages.at(-1)?.own;
    this.#shown = this.messages.length;
    // The log scrolls, never the page (scrollIntoView would pull the page to the chat).
    const log = this.renderRoot.querySelector('[part~="messages"]');
    if (log && (this.#followLog || own)) log.scrollTop = log.scrollHeight;
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
          (m) => html`<li part="message" ?data-own=${m.own} ?data-failed=${m.failed}>
            <span part="sender">${m.own ? s.you : m.name || s.guest}</span><span class="sr-only">: </span><span part="text">${m.text}</span>
            ${m.failed ? html`<span part="failed">${s.failed}</span>` : nothing}
          </li>`,
        )}</ol>
      </div>
      ${this.#error ? html`<p part="error" role="alert">${this.#error}</p>` : nothing}
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
