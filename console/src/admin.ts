// Admin views over the REST API: accounts (import, check, delete), the conversation browser
// (admin_getroammsg, paged) and the recall audit log (Parley's v4/parley/recall_audit).
import { byId, clear, formatTime, h, notice, stackable } from './dom.js';
import { callJson } from './rest.js';
import { CredentialsError, type Credentials } from './credentials.js';

type Json = Record<string, unknown>;

/** Calls an API as the admin; shows any failure in `out` (in words) and returns the answer on success. */
export async function adminCall(
  creds: Credentials,
  path: string,
  body: Json,
  out: HTMLElement,
): Promise<Json | undefined> {
  let c;
  try {
    c = await creds.admin();
  } catch (e) {
    if (!(e instanceof CredentialsError)) throw e;
    out.appendChild(notice('error', e.message));
    return undefined;
  }
  const o = await callJson(path, body, c);
  if (o.kind === 'success' || o.kind === 'partial') return o.json;
  out.appendChild(notice('error', `${path.replace(/^v4\//, '')}: ${o.summary}`));
  return undefined;
}

/** UserIDs typed with spaces, commas or line breaks between them. */
export const parseUserIds = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];

function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  return work().finally(() => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  });
}

export class AccountsView {
  private readonly ids = byId<HTMLTextAreaElement>('acc-ids');
  private readonly out = byId('acc-result');

  constructor(private readonly creds: Credentials) {
    byId<HTMLFormElement>('acc-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(byId<HTMLButtonElement>('acc-import'), () => this.importAccounts());
    });
    byId('acc-check').addEventListener(
      'click',
      (e) => void busy(e.currentTarget as HTMLButtonElement, () => this.check()),
    );
    byId('acc-delete').addEventListener('click', () => this.confirmDelete());
  }

  private users(): string[] | undefined {
    const list = parseUserIds(this.ids.value);
    clear(this.out);
    if (list.length === 0) {
      this.out.appendChild(notice('error', 'Enter at least one UserID.'));
      this.ids.focus();
      return undefined;
    }
    if (list.length > 100) {
      this.out.appendChild(notice('error', `At most 100 UserIDs at once (you entered ${list.length}).`));
      return undefined;
    }
    return list;
  }

  private table(caption: string, rows: Array<[string, string]>): HTMLElement {
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'acc-table' },
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'UserID'), h('th', { scope: 'col' }, 'Result'))),
        h('tbody', {}, ...rows.map(([u, r]) => h('tr', {}, h('th', { scope: 'row' }, u), h('td', {}, r)))),
      ),
    );
  }

  async importAccounts(): Promise<void> {
    const users = this.users();
    if (!users) return;
    const r = await adminCall(this.creds, 'v4/im_open_login_svc/multiaccount_import', { Accounts: users }, this.out);
    if (!r) return;
    const failed = new Set((r.FailAccounts as string[] | undefined) ?? []);
    this.out.append(
      notice(failed.size ? 'warn' : 'ok', `Imported ${users.length - failed.size} of ${users.length} account(s).`),
      this.table(
        'Import',
        users.map((u) => [u, failed.has(u) ? 'Failed: not a valid UserID (1–32 bytes)' : 'Imported']),
      ),
    );
  }

  async check(): Promise<void> {
    const users = this.users();
    if (!users) return;
    const r = await adminCall(
      this.creds,
      'v4/im_open_login_svc/account_check',
      { CheckItem: users.map((UserID) => ({ UserID })) },
      this.out,
    );
    if (!r) return;
    const items = (r.ResultItem as Array<{ UserID: string; AccountStatus: string }>) ?? [];
    this.out.append(
      this.table(
        'Check',
        items.map((i) => [i.UserID, i.AccountStatus === 'Imported' ? 'Imported' : 'Not imported']),
      ),
    );
  }

  private confirmDelete(): void {
    const users = this.users();
    if (!users) return;
    const yes = h(
      'button',
      { type: 'button', id: 'acc-delete-yes', class: 'danger' },
      `Yes, delete ${users.length} account(s)`,
    );
    const no = h('button', { type: 'button' }, 'Cancel');
    const box = h(
      'div',
      { class: 'confirm', role: 'alertdialog', 'aria-label': 'Confirm deletion' },
      h('p', {}, `Delete ${users.join(', ')}? This cannot be undone.`),
      h('div', { class: 'row' }, yes, no),
    );
    yes.addEventListener(
      'click',
      () =>
        void busy(yes, async () => {
          box.remove();
          await this.remove(users);
        }),
    );
    no.addEventListener('click', () => {
      clear(this.out);
      byId('acc-delete').focus();
    });
    this.out.appendChild(box);
    yes.focus();
  }

  private async remove(users: string[]): Promise<void> {
    const r = await adminCall(
      this.creds,
      'v4/im_open_login_svc/account_delete',
      { DeleteItem: users.map((UserID) => ({ UserID })) },
      this.out,
    );
    if (!r) return;
    const items = (r.ResultItem as Array<{ UserID: string; ResultCode: number }>) ?? [];
    this.out.append(
      this.table(
        'Delete',
        items.map((i) => [
          i.UserID,
          i.ResultCode === 0 ? 'Deleted' : i.ResultCode === 70107 ? 'Not found (70107)' : `Failed (${i.ResultCode})`,
        ]),
      ),
    );
  }
}

interface RoamMessage {
  From_Account: string;
  To_Account: string;
  MsgTimeStamp: number;
  MsgFlagBits: number;
  IsPeerRead: number;
  MsgKey: string;
  MsgBody: Array<{ MsgType: string; MsgContent: Record<string, unknown> }>;
}

/** A message body in words: the text, or the element types. */
export function bodyText(body: Array<{ MsgType: string; MsgContent: Record<string, unknown> }>): string {
  return body
    .map((e) =>
      e.MsgType === 'TIMTextElem' ? String(e.MsgContent.Text ?? '') : `[${e.MsgType.replace(/^TIM|Elem$/g, '')}]`,
    )
    .join(' ');
}

export class ConversationsView {
  private readonly operator = byId<HTMLInputElement>('conv-operator');
  private readonly peer = byId<HTMLInputElement>('conv-peer');
  private readonly pageSize = byId<HTMLInputElement>('conv-size');
  private readonly out = byId('conv-result');
  private readonly older = byId<HTMLButtonElement>('conv-older');
  private next: { maxTime: number; lastMsgKey: string } | undefined;
  private page = 0;

  constructor(private readonly creds: Credentials) {
    byId<HTMLFormElement>('conv-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(byId<HTMLButtonElement>('conv-load'), () => this.load(false)).then(() => this.syncOlder());
    });
    this.older.addEventListener(
      'click',
      () => void busy(this.older, () => this.load(true)).then(() => this.syncOlder()),
    );
    this.older.disabled = true;
  }

  /** "Load older page" only while there is an older page. */
  private syncOlder(): void {
    this.older.disabled = this.next === undefined;
    if (this.older.disabled && document.activeElement === document.body) byId('conv-load').focus();
  }

  /** Shows the newest page again (after a recall elsewhere), when a conversation is open. */
  async refresh(): Promise<void> {
    if (this.page > 0) await this.load(false);
  }

  async load(continuing: boolean): Promise<void> {
    clear(this.out);
    const operator = this.operator.value.trim();
    const peer = this.peer.value.trim();
    if (!operator || !peer) {
      this.out.appendChild(notice('error', 'Enter both users of the conversation.'));
      return;
    }
    const size = Number(this.pageSize.value || 20);
    if (!Number.isSafeInteger(size) || size < 1) {
      this.out.appendChild(notice('error', 'The page size must be a whole number of at least 1.'));
      return;
    }
    const body: Json = {
      Operator_Account: operator,
      Peer_Account: peer,
      MaxCnt: size,
      MinTime: 0,
      MaxTime: continuing && this.next ? this.next.maxTime : 4294967295,
    };
    if (continuing && this.next) body.LastMsgKey = this.next.lastMsgKey;
    const r = await adminCall(this.creds, 'v4/openim/admin_getroammsg', body, this.out);
    if (!r) {
      this.next = undefined;
      this.older.disabled = true;
      return;
    }
    this.page = continuing ? this.page + 1 : 1;
    const list = (r.MsgList as RoamMessage[]) ?? [];
    const complete = r.Complete === 1;
    this.next = complete ? undefined : { maxTime: r.LastMsgTime as number, lastMsgKey: r.LastMsgKey as string };
    this.older.disabled = complete;
    const rows = list.map((m) => {
      const recalled = (m.MsgFlagBits & 8) !== 0;
      const recall = h(
        'button',
        {
          type: 'button',
          class: 'small',
          onclick: async (e: Event) => {
            const b = e.currentTarget as HTMLButtonElement;
            const note = h('div');
            b.after(note);
            const ok = await busy(b, () =>
              adminCall(
                this.creds,
                'v4/openim/admin_msgwithdraw',
                { From_Account: m.From_Account, To_Account: m.To_Account, MsgKey: m.MsgKey },
                note,
              ),
            );
            if (ok) await this.load(false);
          },
        },
        'Recall as admin',
      );
      return h(
        'tr',
        { 'data-msgkey': m.MsgKey, class: recalled ? 'recalled' : '' },
        h('td', {}, formatTime(m.MsgTimeStamp)),
        h('td', {}, `${m.From_Account} → ${m.To_Account}`),
        h(
          'td',
          {},
          recalled ? h('span', { class: 'recalled-marker' }, '⊘ Recalled (MsgFlagBits 8)') : bodyText(m.MsgBody),
        ),
        h('td', {}, m.From_Account === operator ? (m.IsPeerRead ? 'read by peer' : 'not read yet') : ''),
        h('td', {}, h('code', {}, m.MsgKey)),
        h('td', {}, recalled ? '' : recall),
      );
    });
    this.out.append(
      h(
        'p',
        { id: 'conv-page', role: 'status' },
        `Page ${this.page}: ${list.length} message(s), ${complete ? 'no older messages' : 'older messages exist (Load older page)'}.`,
      ),
      stackable(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'conv-table' },
            h('caption', {}, `${operator} ↔ ${peer}, as ${operator} sees it (oldest first)`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Time', 'From → To', 'Content', 'Read', 'MsgKey', 'Action'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 6 }, 'No messages in this conversation.'))]),
            ),
          ),
        ),
      ),
    );
  }
}

export class AuditView {
  private readonly limit = byId<HTMLInputElement>('audit-limit');
  private readonly out = byId('audit-result');

  constructor(private readonly creds: Credentials) {
    byId<HTMLFormElement>('audit-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(byId<HTMLButtonElement>('audit-load'), () => this.load());
    });
  }

  async load(): Promise<void> {
    clear(this.out);
    const limit = Number(this.limit.value || 50);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
      this.out.appendChild(notice('error', 'Show between 1 and 1000 entries.'));
      return;
    }
    const r = await adminCall(this.creds, 'v4/parley/recall_audit', { Limit: limit }, this.out);
    if (!r) return;
    const list =
      (r.AuditList as Array<{
        From_Account: string;
        To_Account: string;
        MsgKey: string;
        By: string;
        Via: string;
        At: number;
      }>) ?? [];
    this.out.append(
      stackable(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'audit-table' },
            h('caption', {}, `The ${list.length} latest recall(s), newest first`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['When', 'From', 'To', 'MsgKey', 'Recalled by', 'How'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              ...(list.length
                ? list.map((e) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, formatTime(e.At)),
                      h('td', {}, e.From_Account),
                      h('td', {}, e.To_Account),
                      h('td', {}, h('code', {}, e.MsgKey)),
                      h('td', {}, e.By),
                      h(
                        'td',
                        {},
                        e.Via === 'admin' ? 'admin (admin_msgwithdraw)' : 'sender (client, within the window)',
                      ),
                    ),
                  )
                : [h('tr', {}, h('td', { colspan: 6 }, 'No recalls yet.'))]),
            ),
          ),
        ),
      ),
    );
  }
}
