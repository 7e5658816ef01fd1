import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';
import type { RtcChat } from './rtc-chat.js';
import { ChatLog } from '../../core/chat-log.js';
import { nextEvent, signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';

const chatOf = (call: RtcCall) => call.querySelector('rtc-chat')!;
const lines = (chat: RtcChat) =>
  [...chat.shadowRoot!.querySelectorAll('[part~="message"]')].map(
    (li) => `${li.querySelector('[part~="sender"]')!.textContent}: ${li.querySelector('[part~="text"]')!.textContent}`,
  );

/** Types into the real form and submits it with the Send button. */
async function say(chat: RtcChat, text: string) {
  const input = chat.shadowRoot!.querySelector<HTMLInputElement>('input')!;
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  chat.shadowRoot!.querySelector<HTMLButtonElement>('[part~="send"]')!.click();
  await chat.updateComplete;
}

describe('<rtc-chat> over the call\'s data channel (real peer connections)', () => {
  let calls: RtcCall[] = [];
  afterEach(() => calls.splice(0).forEach((c) => c.leave()));

  it('carries messages with sender names among three people, as plain text, and is accessible', async () => {
    const url = await signalingUrl();
    const room = uniqueRoom('chat');
    const root = await fixture(html`<div>
      ${['Ada', 'Bob', 'Cy <img src=x onerror=alert(1)>'].map(
        (name) => html`<rtc-call signaling=${url} room=${room} name=${name}><rtc-chat></rtc-chat></rtc-call>`,
      )}
    </div>`);
    calls = [...root.querySelectorAll('rtc-call')];
    const [ada, bob, cy] = calls;
    await until(
      () => calls.every((c) => c.session.state.participants.filter((p) => p.connectionState === 'connected').length === 2),
      'everyone connected',
    );
    const chats = calls.map(chatOf);
    await until(() => chats.every((c) => !c.shadowRoot!.querySelector('input')!.disabled), 'chat enabled once joined');

    const received = nextEvent(bob, 'rtc-chat-message');
    await say(chats[0], 'Hello <b>everyone</b>');
    const e = await received;
    expect(e.name).to.equal('Ada');
    expect(e.text).to.equal('Hello <b>everyone</b>');
    await until(() => lines(chats[1]).length === 1 && lines(chats[2]).length === 1, 'bob and cy get it');
    expect(lines(chats[0])).to.deep.equal(['You: Hello <b>everyone</b>']);
    expect(lines(chats[1])).to.deep.equal(['Ada: Hello <b>everyone</b>']);
    expect(lines(chats[2])).to.deep.equal(['Ada: Hello <b>everyone</b>']);
    expect(chats[1].shadowRoot!.querySelector('b'), 'text, not markup').to.equal(null);
    expect(chats[0].shadowRoot!.querySelector('input')!.value, 'the field is cleared').to.equal('');

    await say(chats[2], 'Hi Ada');
    await until(() => lines(chats[0]).length === 2 && lines(chats[1]).length === 2, 'ada and bob get cy');
    expect(lines(chats[0])[1]).to.equal('Cy <img src=x onerror=alert(1)>: Hi Ada');
    expect(chats[0].shadowRoot!.querySelector('img')).to.equal(null);

    // Accessible: a labelled field in a real form, and a live region for new messages.
    const log = chats[0].shadowRoot!.querySelector('[part~="messages"]')!;
    expect(log.getAttribute('role')).to.equal('log');
    expect(log.getAttribute('aria-live')).to.equal('polite');
    const input = chats[0].shadowRoot!.querySelector('input')!;
    expect(chats[0].shadowRoot!.querySelector(`label[for="${input.id}"]`)!.textContent).to.contain('Message');
    await expect(chats[0]).to.be.accessible();

    // Enter in the field submits too (a real form).
    const got = nextEvent(ada, 'rtc-chat-message');
    const field = chats[1].shadowRoot!.querySelector<HTMLInputElement>('input')!;
    field.value = 'sent with Enter';
    field.form!.requestSubmit();
    expect((await got).text).to.equal('sent with Enter');
    void cy;
  });

  it('is disabled, with a reason, until the call is joined', async () => {
    const chat = await fixture<RtcChat>(html`<rtc-call no-auto-join><rtc-chat></rtc-chat></rtc-call>`).then(
      (call) => call.querySelector('rtc-chat')!,
    );
    await chat.updateComplete;
    const input = chat.shadowRoot!.querySelector('input')!;
    expect(input.disabled).to.equal(true);
    expect(input.placeholder).to.contain('Join');
    await expect(chat).to.be.accessible();
  });

  /** Ada and Bob in one room, each with a chat, connected and able to write. */
  async function adaAndBob(): Promise<[RtcCall, RtcCall]> {
    const url = await signalingUrl();
    const room = uniqueRoom('chat2');
    const root = await fixture(html`<div>
      ${['Ada', 'Bob'].map((name) => html`<rtc-call signaling=${url} room=${room} name=${name}><div class="panel"><rtc-chat></rtc-chat></div></rtc-call>`)}
    </div>`);
    calls = [...root.querySelectorAll('rtc-call')];
    await until(() => calls.every((c) => c.session.state.participants[0]?.connectionState === 'connected'), 'connected');
    await until(() => calls.every((c) => !chatOf(c).shadowRoot!.querySelector('input')!.disabled), 'chat enabled');
    return calls as [RtcCall, RtcCall];
  }

  it('taken out of the page and put back (a closed chat panel), it shows what arrived meanwhile', async function () {
    this.timeout(30000);
    const [ada, bob] = await adaAndBob();
    const [chatA, chatB] = [chatOf(ada), chatOf(bob)];
    await say(chatA, 'one');
    await until(() => lines(chatB).length === 1, 'Bob gets the first');
    const panel = bob.querySelector('.panel')!;
    chatB.remove();
    await say(chatA, 'while away');
    await until(() => ChatLog.of(bob.session, chatB.label).messages.length === 2, 'Bob’s call receives it meanwhile');
    panel.append(chatB);
    await say(chatA, 'after');
    await until(() => lines(chatB).length === 3, () => `Bob sees all three (${JSON.stringify(lines(chatB))})`);
    expect(lines(chatB)).to.deep.equal(['Ada: one', 'Ada: while away', 'Ada: after']);
  });

  it('marks our message that did not reach everyone, and says so', async () => {
    const [ada] = await adaAndBob();
    const chat = chatOf(ada);
    // STUB: a send that fails (a connection that closed under it), which loopback will not produce on cue.
    const channel = ChatLog.of(ada.session, chat.label).channel;
    channel.send = () => Promise.reject(new Error('data channel "rtc-chat" is closed'));
    await say(chat, 'lost words');
    await until(() => chat.shadowRoot!.querySelector('[part~="message"][data-failed]'), 'the message is marked');
    expect(chat.shadowRoot!.querySelector('[part~="failed"]')!.textContent).to.equal('not delivered');
    expect(chat.shadowRoot!.querySelector('[part~="error"][role="alert"]')!.textContent).to.contain('Not delivered to everyone');
  });

  it('refuses a message over 2,000 characters set from script, says why, and keeps the text', async () => {
    const [ada, bob] = await adaAndBob();
    const chat = chatOf(ada);
    const input = chat.shadowRoot!.querySelector<HTMLInputElement>('input')!;
    const long = 'x'.repeat(2001);
    input.value = long; // maxlength stops typing, not a value set from script
    chat.shadowRoot!.querySelector<HTMLButtonElement>('[part~="send"]')!.click();
    await until(() => chat.shadowRoot!.querySelector('[role="alert"]'), 'an error is shown');
    expect(chat.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('2000');
    expect(input.value, 'the text is kept to shorten').to.equal(long);
    expect(lines(chat)).to.deep.equal([]);
    expect(lines(chatOf(bob))).to.deep.equal([]);
  });

  it('scrolls its own log to a new message, never the page, and leaves a reader who scrolled up where they are', async function () {
    this.timeout(30000);
    const [ada, bob] = await adaAndBob();
    const [chatA, chatB] = [chatOf(ada), chatOf(bob)];
    // Bob's chat below the fold, with a short log that overflows.
    bob.before(Object.assign(document.createElement('div'), { style: 'height: 3000px' }));
    chatB.style.setProperty('--rtc-chat-height', '120px');
    const log = chatB.shadowRoot!.querySelector<HTMLElement>('[part~="messages"]')!;
    log.style.maxHeight = '120px';
    window.scrollTo(0, 0);
    for (let i = 1; i <= 8; i++) await chatA.send(`line ${i}`); // not through Ada's form: focusing it would scroll
    await until(() => lines(chatB).length === 8, 'Bob gets all eight');
    await chatB.updateComplete;
    await new Promise((r) => setTimeout(r, 100));
    expect(window.scrollY, 'the page did not move').to.equal(0);
    expect(log.scrollHeight > log.clientHeight, 'the log overflows').to.equal(true);
    expect(log.scrollTop + log.clientHeight >= log.scrollHeight - 2, 'the log shows its last message').to.equal(true);
    log.scrollTop = 0; // Bob scrolls up to reread
    await chatA.send('line 9');
    await until(() => lines(chatB).length === 9, 'Bob gets the ninth');
    await chatB.updateComplete;
    expect(log.scrollTop, 'the reader stays where they scrolled').to.equal(0);
  });
});
