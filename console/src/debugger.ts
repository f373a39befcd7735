// The API debugger: the catalogue (generated from the server's registry), a body editor checked
// as you type, and the answer with its HTTP status, latency, explained ErrorCode and a curl line.
import type { Catalogue, CatalogueEntry, FieldDescription } from '../../src/http/catalogue.js';
import { byId, clear, h, notice, stackable } from './dom.js';
import { explainCode, meaningOf } from './explain.js';
import { checkJson } from './json-check.js';
import { callApi, type CallOutcome } from './rest.js';
import { curlLine } from './curl.js';
import { CredentialsError, type Credentials } from './credentials.js';

export class ApiDebugger {
  private readonly list = byId<HTMLUListElement>('dbg-list');
  private readonly filter = byId<HTMLInputElement>('dbg-filter');
  private readonly detail = byId('dbg-detail');
  private readonly body = byId<HTMLTextAreaElement>('dbg-body');
  private readonly jsonStatus = byId('dbg-json-status');
  private readonly result = byId('dbg-result');
  private readonly sendButton = byId<HTMLButtonElement>('dbg-send');
  private current: CatalogueEntry | undefined;
  private sending = false;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly creds: Credentials,
  ) {
    this.filter.addEventListener('input', () => this.renderList());
    this.body.addEventListener('input', () => this.checkBody());
    this.body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.send();
      }
    });
    byId<HTMLFormElement>('dbg-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    byId('dbg-reset').addEventListener('click', () => {
      if (this.current) this.setBody(this.current.sample);
    });
    byId('dbg-format').addEventListener('click', () => {
      const c = checkJson(this.body.value);
      if (c.ok) this.body.value = JSON.stringify(c.value, null, 2);
      this.checkBody();
    });
    this.renderList();
    const first = catalogue.apis[0];
    if (first) this.select(first);
  }

  /** Selects an API by its path ("v4/openim/sendmsg"), e.g. from another view. */
  selectPath(path: string): void {
    const api = this.catalogue.apis.find((a) => a.path === path);
    if (api) this.select(api);
  }

  private renderList(): void {
    const q = this.filter.value.trim().toLowerCase();
    clear(this.list);
    for (const a of this.catalogue.apis) {
      if (q && !`${a.path} ${a.summary}`.toLowerCase().includes(q)) continue;
      const b = h(
        'button',
        {
          type: 'button',
          class: 'api-item',
          'aria-pressed': String(a === this.current),
          'data-path': a.path,
          onclick: () => this.select(a),
        },
        h('span', { class: 'api-path' }, a.path.replace(/^v4\//, '')),
        h('span', { class: 'api-summary' }, a.summary),
      );
      this.list.appendChild(h('li', {}, b));
    }
    if (!this.list.firstChild) this.list.appendChild(h('li', { class: 'muted' }, 'No API matches the filter.'));
  }

  private select(a: CatalogueEntry): void {
    this.current = a;
    this.renderList();
    clear(this.detail);
    const commons = this.catalogue.commonErrors[a.family] ?? [];
    this.detail.append(
      h('h3', { id: 'dbg-title' }, a.path),
      h('p', {}, a.summary),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Family'),
        h('dd', {}, a.family),
        h('dt', {}, 'Default limit'),
        h('dd', {}, `${a.rateLimit} calls/s`),
        a.maxBodyBytes !== undefined ? h('dt', {}, 'Largest body') : null,
        a.maxBodyBytes !== undefined ? h('dd', {}, `${a.maxBodyBytes} bytes`) : null,
        h('dt', {}, 'Specified in'),
        h('dd', {}, a.spec),
      ),
      this.fieldTable(a.fields),
      h(
        'details',
        { class: 'errors' },
        h('summary', {}, `ErrorCodes of this API (${a.errors.length}), and ${commons.length} any API may answer`),
        h(
          'ul',
          {},
          ...a.errors.map((c) =>
            h('li', {}, h('code', {}, String(c)), ' ', meaningOf(c) ?? '(not in the spec tables)'),
          ),
        ),
        h('p', {}, 'Any API:'),
        h(
          'ul',
          {},
          ...commons.map((c) => h('li', {}, h('code', {}, String(c)), ' ', meaningOf(c) ?? '(not in the spec tables)')),
        ),
      ),
    );
    this.setBody(a.sample);
    clear(this.result);
  }

  private fieldTable(fields: FieldDescription[]): HTMLElement {
    const rows: HTMLElement[] = [];
    const add = (f: FieldDescription, prefix: string) => {
      rows.push(
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('code', {}, prefix + f.name)),
          h('td', {}, f.type),
          h('td', {}, f.required ? 'required' : 'optional'),
          h('td', {}, f.limits || '—'),
          h('td', {}, f.doc, ' ', h('small', { class: 'muted' }, `(error ${f.code})`)),
        ),
      );
      for (const sub of f.fields ?? []) add(sub, `${prefix}${f.name}[].`);
    };
    fields.forEach((f) => add(f, ''));
    return stackable(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'fields' },
          h('caption', {}, 'Request fields'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Field'),
              h('th', { scope: 'col' }, 'Type'),
              h('th', { scope: 'col' }, 'Required'),
              h('th', { scope: 'col' }, 'Limits'),
              h('th', { scope: 'col' }, 'Meaning'),
            ),
          ),
          h(
            'tbody',
            {},
            ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 5 }, 'This API takes no fields: send {}.'))]),
          ),
        ),
      ),
    );
  }

  private setBody(sample: Record<string, unknown>): void {
    this.body.value = JSON.stringify(sample, null, 2);
    this.checkBody();
  }

  /** Says whether the editor holds a JSON object; returns the check. */
  private checkBody() {
    const c = checkJson(this.body.value);
    if (c.ok) {
      this.jsonStatus.textContent = 'Valid JSON object.';
      this.jsonStatus.className = 'status status-ok';
      this.body.removeAttribute('aria-invalid');
    } else {
      this.jsonStatus.textContent = `Not valid JSON — line ${c.line}, column ${c.column}: ${c.message}.`;
      this.jsonStatus.className = 'status status-error';
      this.body.setAttribute('aria-invalid', 'true');
    }
    return c;
  }

  async send(): Promise<void> {
    const api = this.current;
    if (!api || this.sending) return;
    const c = this.checkBody();
    if (!c.ok) {
      clear(this.result);
      this.result.appendChild(
        notice('error', `Not sent: the body is not valid JSON (line ${c.line}, column ${c.column}): ${c.message}.`),
      );
      this.body.focus();
      this.body.setSelectionRange(c.offset, Math.min(c.offset + 1, this.body.value.length));
      return;
    }
    let credentials;
    try {
      credentials = await this.creds.admin();
    } catch (e) {
      if (!(e instanceof CredentialsError)) throw e;
      clear(this.result);
      this.result.appendChild(notice('error', `Not sent. ${e.message}`));
      return;
    }
    this.sending = true;
    this.sendButton.disabled = true;
    this.sendButton.textContent = 'Sending…';
    try {
      const outcome = await callApi(api.path, this.body.value, credentials);
      this.showOutcome(outcome);
    } finally {
      this.sending = false;
      this.sendButton.disabled = false;
      this.sendButton.textContent = 'Send';
    }
  }

  private showOutcome(o: CallOutcome): void {
    clear(this.result);
    const kind = o.kind === 'success' ? 'ok' : o.kind === 'partial' ? 'warn' : 'error';
    const curl = curlLine(o.url, o.requestBody);
    const curlBox = h('textarea', {
      id: 'dbg-curl',
      class: 'mono',
      readonly: true,
      rows: 3,
      spellcheck: 'false',
      'aria-label': 'The request as a curl command line (holds the UserSig, not the key)',
    });
    curlBox.value = curl;
    const copyStatus = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const copy = h(
      'button',
      {
        type: 'button',
        id: 'dbg-copy-curl',
        onclick: () =>
          void copyText(curl, curlBox).then((ok) => {
            copyStatus.textContent = ok
              ? 'Copied to the clipboard.'
              : 'Select the text and copy it (the clipboard is not available here).';
          }),
      },
      'Copy as curl',
    );
    this.result.append(
      notice(kind, o.summary),
      h(
        'dl',
        { class: 'facts', id: 'dbg-facts' },
        h('dt', {}, 'HTTP status'),
        h('dd', { id: 'dbg-status' }, o.status !== undefined ? String(o.status) : 'no answer'),
        h('dt', {}, 'Latency'),
        h('dd', { id: 'dbg-latency' }, `${o.ms} ms`),
        h('dt', {}, 'ErrorCode'),
        h(
          'dd',
          { id: 'dbg-errorcode' },
          o.errorCode !== undefined ? (o.errorCode === 0 ? '0 (success)' : explainCode(o.errorCode)) : '—',
        ),
      ),
      h('h4', {}, 'Answer'),
      h(
        'pre',
        { id: 'dbg-response', class: 'mono', tabindex: '0', 'aria-label': 'The answer' },
        o.json !== undefined ? JSON.stringify(o.json, null, 2) : (o.text ?? '(no answer)'),
      ),
      h('div', { class: 'curl' }, h('h4', {}, 'As curl'), curlBox, h('div', { class: 'row' }, copy, copyStatus)),
    );
  }
}

async function copyText(text: string, box: HTMLTextAreaElement): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // not allowed here (insecure context, permissions): fall back to selecting
  }
  box.focus();
  box.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
