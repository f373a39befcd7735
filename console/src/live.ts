// Live recall: chat panes, each running the client SDK in this page as one user with its own local
// cache, and an event timeline. Recall a message as its sender (SDK revokeMessage, within the
// window) or as the admin (REST admin_msgwithdraw) and watch every pane follow.
import { byId, clear, field, h } from './dom.js';
import { explainCode } from './explain.js';
import { adminCall } from './admin.js';
import type { Credentials } from './credentials.js';
import { create, EVENT, IndexedDBCache, MemoryCache, type ChatSDK, type Conversation, type Message } from './sdk.js';

type PaneState = 'offline' | 'connecting' | 'ready' | 'failed' | 'kicked';

const STATE_TEXT: Record<PaneState, string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  ready: 'Online, synced',
  failed: 'Not connected (error)',
  kicked: 'Kicked out',
};

/** An action whose consequences the timeline measures (send, recall). */
interface Action {
  label: string;
  t0: number;
}

function clock(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A ChatError (or anything thrown) in words. */
function errorWords(e: unknown): string {
  const err = e as { code?: number; message?: string };
  if (typeof err?.code === 'number') {
    const server = err.code >= 10000 ? ` — ${explainCode(err.code)}` : '';
    return `code ${err.code}: ${err.message ?? ''}${server}`;
  }
  return String((e as Error)?.message ?? e);
}

const textOf = (m: Message): string =>
  m.type === 'TIMTextElem' ? String((m.payload as { text?: string }).text ?? '') : `[${m.type}]`;
const msgKeyOf = (m: Message): string => `${m.sequence}_${m.random}_${m.time}`;

export class Timeline {
  private readonly body = byId<HTMLTableSectionElement>('timeline-body');
  last: Action | undefined;

  constructor() {
    byId('tl-clear').addEventListener('click', () => clear(this.body));
  }

  /** Starts an action: later events show their delay from it. */
  begin(label: string): Action {
    this.last = { label, t0: performance.now() };
    return this.last;
  }

  add(pane: string, step: string, detail: string, latency?: number | Action): void {
    let lat = '';
    if (typeof latency === 'number') lat = `${latency} ms`;
    else if (latency) lat = `+${Math.round(performance.now() - latency.t0)} ms after ${latency.label}`;
    const row = h(
      'tr',
      { 'data-step': step, 'data-pane': pane },
      h('td', { 'data-label': 'Time' }, clock()),
      h('td', { 'data-label': 'Pane' }, pane),
      h('td', { 'data-label': 'Step or event' }, step),
      h('td', { 'data-label': 'Detail' }, detail),
      h('td', { 'data-label': 'Latency' }, lat),
    );
    this.body.prepend(row);
    while (this.body.rows.length > 300) this.body.deleteRow(-1);
  }
}

let paneCounter = 0;

class Pane {
  readonly id = ++paneCounter;
  readonly name: string;
  readonly el: HTMLElement;
  private readonly chat: ChatSDK;
  private state: PaneState = 'offline';
  private peer: string;
  private messages: Message[] = [];
  private conversations: Conversation[] = [];
  private totalUnread = 0;
  private readonly stateEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly convEl: HTMLUListElement;
  private readonly totalEl: HTMLElement;
  private readonly listEl: HTMLUListElement;
  private readonly peerInput: HTMLInputElement;
  private readonly textInput: HTMLInputElement;
  private readonly connectBtn: HTMLButtonElement;
  private readonly offlineBtn: HTMLButtonElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly listLabel: HTMLElement;

  constructor(
    readonly user: string,
    peer: string,
    cacheKind: 'memory' | 'indexeddb',
    readonly sdkAppId: number,
    private readonly creds: Credentials,
    private readonly timeline: Timeline,
    private readonly onClose: (p: Pane) => void,
    private readonly onAdminRecall: () => void,
  ) {
    this.peer = peer;
    this.name = `${user} #${this.id}`;
    const cache =
      cacheKind === 'indexeddb'
        ? new IndexedDBCache({ dbName: `parley-console-pane-${this.id}-${Date.now()}` })
        : new MemoryCache();
    this.chat = create({
      SDKAppID: sdkAppId,
      serverURL: location.origin,
      cache,
      instanceName: `console-pane-${this.id}`,
    });
    this.chat.setLogLevel(3);
    this.wire();

    const headId = `pane-${this.id}-h`;
    this.stateEl = h(
      'span',
      { class: 'pane-state', 'data-state': 'offline', role: 'status', 'aria-live': 'polite' },
      STATE_TEXT.offline,
    );
    this.errorEl = h('div', { class: 'pane-error', role: 'alert' });
    this.connectBtn = h('button', { type: 'button', class: 'small', onclick: () => void this.connect() }, 'Connect');
    this.offlineBtn = h(
      'button',
      { type: 'button', class: 'small', onclick: () => void this.goOffline(), disabled: true },
      'Go offline',
    );
    const closeBtn = h('button', { type: 'button', class: 'small', onclick: () => void this.close() }, 'Close pane');
    this.convEl = h('ul', { class: 'conv-list', 'aria-label': `Conversations of ${user}` });
    this.totalEl = h('span', { class: 'total-unread' }, 'Total unread: 0');
    this.peerInput = h('input', { value: peer, autocomplete: 'off' });
    this.peerInput.addEventListener('change', () => this.openConversation(this.peerInput.value.trim()));
    this.listLabel = h('h4', { id: `pane-${this.id}-msgs` }, `Messages with ${peer}`);
    this.listEl = h('ul', {
      class: 'msg-list',
      'aria-labelledby': `pane-${this.id}-msgs`,
      'aria-live': 'polite',
      tabindex: '0',
    });
    this.textInput = h('input', { autocomplete: 'off', placeholder: 'Type a message, Enter sends' });
    this.sendBtn = h('button', { type: 'submit', class: 'primary' }, 'Send');
    const compose = h('form', { class: 'compose' }, this.textInput, this.sendBtn);
    compose.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    const markRead = h('button', { type: 'button', class: 'small', onclick: () => void this.markRead() }, 'Mark read');
    this.el = h(
      'article',
      { class: 'pane', 'aria-labelledby': headId, 'data-user': user, 'data-pane': String(this.id) },
      h('div', { class: 'pane-head' }, h('h3', { id: headId }, this.name), this.stateEl),
      h('div', { class: 'row wrap' }, this.connectBtn, this.offlineBtn, closeBtn),
      this.errorEl,
      h('div', { class: 'row wrap' }, h('h4', {}, 'Conversations'), this.totalEl),
      this.convEl,
      field('Chat with', this.peerInput),
      h('div', { class: 'row wrap' }, this.listLabel, markRead),
      this.listEl,
      h(
        'label',
        { class: 'sr-only', for: (this.textInput.id = `pane-${this.id}-text`) },
        `Message from ${user} to the open conversation`,
      ),
      compose,
    );
    this.render();
  }

  private setState(s: PaneState, detail?: string): void {
    this.state = s;
    this.stateEl.dataset.state = s;
    this.stateEl.textContent = detail ? `${STATE_TEXT[s]}: ${detail}` : STATE_TEXT[s];
    this.connectBtn.disabled = s === 'ready' || s === 'connecting';
    this.offlineBtn.disabled = s !== 'ready' && s !== 'connecting';
  }

  private showError(text: string): void {
    this.errorEl.textContent = text ? `Error: ${text}` : '';
  }

  private wire(): void {
    const t = this.timeline;
    this.chat.on(EVENT.SDK_READY, () => {
      this.setState('ready');
      t.add(this.name, 'SDK_READY', 'logged in and synced', t.last);
      void this.reload();
    });
    this.chat.on(EVENT.SDK_NOT_READY, () => {
      if (this.state === 'ready') this.setState('offline');
    });
    this.chat.on(EVENT.MESSAGE_RECEIVED, (e: { data: Message[] }) => {
      for (const m of e.data) {
        t.add(this.name, 'MESSAGE_RECEIVED', `${m.from} → ${m.to}: “${textOf(m)}”`, t.last);
        if (m.conversationID === `C2C${this.peer}` && !this.messages.some((x) => x.ID === m.ID)) this.messages.push(m);
      }
      this.render();
    });
    this.chat.on(EVENT.MESSAGE_REVOKED, (e: { data: Message[] }) => {
      let missing = false;
      for (const m of e.data) {
        t.add(this.name, 'MESSAGE_REVOKED', `recalled by ${m.revoker || m.revokerInfo?.userID || '?'}`, t.last);
        const mine = this.messages.find((x) => x.ID === m.ID);
        if (mine) {
          mine.isRevoked = true;
          mine.revoker = m.revoker;
        } else missing = true;
      }
      if (missing) void this.reload();
      else this.render();
    });
    this.chat.on(EVENT.CONVERSATION_LIST_UPDATED, (e: { data: Conversation[] }) => {
      this.conversations = e.data;
      const words = e.data
        .map(
          (c) =>
            `${c.conversationID.replace(/^C2C/, '')}: ${c.unreadCount} unread, last “${c.lastMessage?.isRevoked ? 'recalled' : (c.lastMessage?.messageForShow ?? '')}”`,
        )
        .join('; ');
      t.add(this.name, 'CONVERSATION_LIST_UPDATED', words || 'no conversations', t.last);
      this.render();
    });
    this.chat.on(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e: { data: number }) => {
      this.totalUnread = e.data;
      t.add(this.name, 'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED', `${e.data}`, t.last);
      this.render();
    });
    this.chat.on(EVENT.MESSAGE_READ_BY_PEER, (e: { data: Message[] }) => {
      t.add(this.name, 'MESSAGE_READ_BY_PEER', `${e.data.length} message(s)`, t.last);
      this.render();
    });
    this.chat.on(EVENT.NET_STATE_CHANGE, (e: { data: { state: string } }) => {
      t.add(this.name, 'NET_STATE_CHANGE', e.data.state);
      if (e.data.state === 'connecting' && this.state === 'ready') this.setState('connecting', 'reconnecting');
      if (e.data.state === 'connected' && this.state === 'connecting') this.setState('ready');
    });
    this.chat.on(EVENT.KICKED_OUT, (e: { data: { type: string } }) => {
      this.setState('kicked', e.data.type);
      t.add(this.name, 'KICKED_OUT', e.data.type);
    });
    this.chat.on(EVENT.ERROR, (e: { data: { code: number; message: string } }) => {
      t.add(this.name, 'ERROR', errorWords(e.data));
    });
  }

  async connect(): Promise<void> {
    this.showError('');
    this.setState('connecting');
    const action = this.timeline.begin(`${this.name} login`);
    try {
      const { userSig } = await this.creds.forUser(this.user);
      await this.chat.login({ userID: this.user, userSig });
      this.timeline.add(this.name, 'login', `${this.user} logged in`, Math.round(performance.now() - action.t0));
    } catch (e) {
      this.setState('failed');
      this.showError(`login failed, ${errorWords(e)}`);
      this.timeline.add(this.name, 'login failed', errorWords(e), Math.round(performance.now() - action.t0));
    }
  }

  async goOffline(): Promise<void> {
    try {
      await this.chat.logout();
    } catch (e) {
      this.showError(`logout failed, ${errorWords(e)}`);
    }
    this.setState('offline');
    this.timeline.add(this.name, 'logout', 'offline; the local cache is kept');
  }

  async close(): Promise<void> {
    try {
      await this.chat.destroy();
    } catch {
      // closing anyway
    }
    this.el.remove();
    this.onClose(this);
  }

  private openConversation(peer: string): void {
    if (!peer) return;
    this.peer = peer;
    this.peerInput.value = peer;
    this.listLabel.textContent = `Messages with ${peer}`;
    this.messages = [];
    void this.reload();
  }

  /** Reads the open conversation's newest messages and the conversation list from the SDK. */
  async reload(): Promise<void> {
    if (this.state !== 'ready' || !this.peer) {
      this.render();
      return;
    }
    try {
      const r = await this.chat.getMessageList({ conversationID: `C2C${this.peer}` });
      this.messages = [...r.data.messageList];
      const c = await this.chat.getConversationList();
      this.conversations = c.data.conversationList;
    } catch (e) {
      this.showError(`reading the conversation failed, ${errorWords(e)}`);
    }
    this.render();
  }

  async send(): Promise<void> {
    const text = this.textInput.value;
    if (text.trim() === '') {
      this.showError('type a message first.');
      this.textInput.focus();
      return;
    }
    if (this.state !== 'ready') {
      this.showError('this pane is offline: connect it first.');
      return;
    }
    this.showError('');
    const action = this.timeline.begin(`${this.name} sent “${text}”`);
    try {
      const m = this.chat.createTextMessage({ to: this.peer, conversationType: 'C2C', payload: { text } });
      this.messages.push(m);
      this.render();
      this.textInput.value = '';
      await this.chat.sendMessage(m);
      this.timeline.add(
        this.name,
        'sendMessage',
        `“${text}” to ${this.peer}, MsgKey ${msgKeyOf(m)}`,
        Math.round(performance.now() - action.t0),
      );
    } catch (e) {
      this.showError(`not sent, ${errorWords(e)}`);
      this.timeline.add(this.name, 'sendMessage failed', errorWords(e), Math.round(performance.now() - action.t0));
    }
    this.render();
    this.textInput.focus();
  }

  private async recallAsSender(m: Message): Promise<void> {
    const action = this.timeline.begin(`${this.name} recalled “${textOf(m)}”`);
    try {
      await this.chat.revokeMessage(m);
      this.timeline.add(
        this.name,
        'revokeMessage',
        `as the sender, MsgKey ${msgKeyOf(m)}`,
        Math.round(performance.now() - action.t0),
      );
    } catch (e) {
      this.showError(`not recalled, ${errorWords(e)}`);
      this.timeline.add(this.name, 'revokeMessage failed', errorWords(e), Math.round(performance.now() - action.t0));
    }
    this.render();
  }

  private async recallAsAdmin(m: Message): Promise<void> {
    const action = this.timeline.begin(`admin recalled “${textOf(m)}”`);
    const out = h('div');
    const ok = await adminCall(
      this.creds,
      'v4/openim/admin_msgwithdraw',
      { From_Account: m.from, To_Account: m.to, MsgKey: msgKeyOf(m) },
      out,
    );
    const ms = Math.round(performance.now() - action.t0);
    if (ok) this.timeline.add('admin (REST)', 'admin_msgwithdraw', `${m.from} → ${m.to}, MsgKey ${msgKeyOf(m)}`, ms);
    else {
      this.showError(out.textContent ?? 'the recall failed');
      this.timeline.add('admin (REST)', 'admin_msgwithdraw failed', out.textContent ?? '', ms);
    }
    this.onAdminRecall();
  }

  private async markRead(): Promise<void> {
    if (this.state !== 'ready') return;
    const action = this.timeline.begin(`${this.name} read ${this.peer}`);
    try {
      await this.chat.setMessageRead({ conversationID: `C2C${this.peer}` });
      this.timeline.add(
        this.name,
        'setMessageRead',
        `conversation with ${this.peer}`,
        Math.round(performance.now() - action.t0),
      );
    } catch (e) {
      this.showError(`could not mark read, ${errorWords(e)}`);
    }
  }

  render(): void {
    clear(this.convEl);
    for (const c of this.conversations) {
      const peer = c.conversationID.replace(/^C2C/, '');
      const last = c.lastMessage?.isRevoked ? 'recalled' : (c.lastMessage?.messageForShow ?? '');
      const b = h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(peer === this.peer),
          'data-peer': peer,
          onclick: () => this.openConversation(peer),
        },
        h('span', { class: c.unreadCount > 0 ? 'unread' : '' }, `${peer} · ${c.unreadCount} unread`),
        ` · “${last}”`,
      );
      this.convEl.appendChild(h('li', {}, b));
    }
    if (this.conversations.length === 0)
      this.convEl.appendChild(
        h(
          'li',
          { class: 'muted' },
          this.state === 'ready' ? 'No conversations yet.' : 'Connect to see the conversations.',
        ),
      );
    this.totalEl.textContent = `Total unread: ${this.totalUnread}`;
    this.totalEl.className = this.totalUnread > 0 ? 'total-unread unread' : 'total-unread';

    clear(this.listEl);
    for (const m of this.messages) {
      const mine = m.from === this.user;
      const actions = h('div', { class: 'msg-actions' });
      if (!m.isRevoked && m.status === 'success') {
        if (mine)
          actions.appendChild(
            h('button', { type: 'button', class: 'small', onclick: () => void this.recallAsSender(m) }, 'Recall'),
          );
        actions.appendChild(
          h('button', { type: 'button', class: 'small', onclick: () => void this.recallAsAdmin(m) }, 'Recall as admin'),
        );
      }
      const status =
        m.status === 'unSend'
          ? 'sending'
          : m.status === 'fail'
            ? 'failed'
            : mine
              ? m.isPeerRead
                ? 'read'
                : 'sent'
              : '';
      this.listEl.appendChild(
        h(
          'li',
          {
            class: `msg ${mine ? 'out' : 'in'}${m.isRevoked ? ' recalled' : ''}`,
            'data-id': m.ID,
            'data-recalled': String(m.isRevoked),
          },
          h(
            'span',
            { class: 'meta' },
            `${m.from} · ${new Date(m.time * 1000).toLocaleTimeString()}${status ? ` · ${status}` : ''}`,
          ),
          h(
            'span',
            { class: 'text' },
            m.isRevoked ? `⊘ Message recalled${m.revoker ? ` by ${m.revoker}` : ''}` : textOf(m),
          ),
          actions.childNodes.length ? actions : null,
        ),
      );
    }
    if (this.messages.length === 0)
      this.listEl.appendChild(
        h(
          'li',
          { class: 'muted' },
          this.state === 'ready' ? 'No messages yet.' : 'Offline: messages appear after connecting.',
        ),
      );
    this.listEl.scrollTop = this.listEl.scrollHeight;
    const can = this.state === 'ready';
    this.sendBtn.disabled = false;
    this.textInput.setAttribute('aria-disabled', String(!can));
  }
}

export class LiveView {
  private readonly panes: Pane[] = [];
  private readonly timeline = new Timeline();
  private readonly host = byId('live-panes');

  constructor(
    private readonly creds: Credentials,
    private readonly afterAdminRecall: () => void,
  ) {
    byId<HTMLFormElement>('live-open').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.open();
    });
  }

  async open(): Promise<void> {
    const status = byId('live-sdk-status');
    status.textContent = '';
    const user = byId<HTMLInputElement>('live-user').value.trim();
    const peer = byId<HTMLInputElement>('live-peer').value.trim();
    const cacheKind = byId<HTMLSelectElement>('live-cache').value === 'indexeddb' ? 'indexeddb' : 'memory';
    const connectNow = byId<HTMLInputElement>('live-connect').checked;
    if (!user) {
      status.textContent = 'Error: enter the UserID of the pane.';
      return;
    }
    let sdkAppId: number;
    try {
      sdkAppId = (await this.creds.forUser(user)).sdkAppId;
    } catch (e) {
      status.textContent = `Error: ${(e as Error).message}`;
      return;
    }
    const pane = new Pane(
      user,
      peer,
      cacheKind,
      sdkAppId,
      this.creds,
      this.timeline,
      (p) => this.panes.splice(this.panes.indexOf(p), 1),
      () => this.afterAdminRecall(),
    );
    this.panes.push(pane);
    this.host.appendChild(pane.el);
    this.timeline.add(
      pane.name,
      'pane opened',
      `${cacheKind === 'indexeddb' ? 'IndexedDB' : 'in-memory'} cache, ${connectNow ? 'connecting' : 'offline'}`,
    );
    status.textContent = `Opened a pane for ${user}${connectNow ? '' : ' (offline: use its Connect button later)'}.`;
    // The next pane is most likely the other side of this conversation.
    if (peer) {
      byId<HTMLInputElement>('live-user').value = peer;
      byId<HTMLInputElement>('live-peer').value = user;
    }
    if (connectNow) await pane.connect();
  }
}
