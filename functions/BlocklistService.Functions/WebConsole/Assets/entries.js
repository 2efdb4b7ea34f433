// Auditor: an entry's full history by URL or id, and verification of any of its leaves in this browser.
import { api, h, mount, problem, run, table, time } from './common.js';
import { verifyInclusion } from './verify.js';

const hexId = /^[0-9a-f]{64}$/;

function describe(leaf) {
  return `${leaf.kind} ${leaf.list} v${leaf.version}`;
}

function verifier() {
  const pinned = h('input', { id: 'pinned-key', name: 'pinned', size: 66, autocomplete: 'off', spellcheck: 'false', pattern: '[0-9a-f]{64}' });
  const tamper = h('input', { id: 'tamper', type: 'checkbox' });
  const output = h('div', { id: 'verification', 'aria-live': 'polite' });
  const section = h('section', { 'aria-labelledby': 'verify-heading' },
    h('h2', { id: 'verify-heading' }, 'Verify in this browser'),
    h('p', {}, 'Checks, with this browser’s WebCrypto and nothing from the server taken on trust: the signing key hashes to the key id you pinned, the current checkpoint is signed by it, and the leaf’s inclusion proof leads to the signed root.'),
    h('div', { class: 'row' },
      h('label', {}, 'Pinned signing key id (hex SHA-256 of the public key, from your own records)', pinned),
      h('label', { class: 'field' }, h('span', {}, 'Tamper with the proof'), tamper)),
    output);
  return {
    section,
    async verify(leaf) {
      const key = pinned.value.trim();
      if (!hexId.test(key)) {
        output.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'pinned: enter the signing key id you pinned (64 lowercase hex characters).'));
        pinned.focus();
        return;
      }
      output.replaceChildren('Verifying…');
      try {
        const result = await verifyInclusion({
          leafIndex: leaf.index, leafText: leaf.leaf, pinnedKeyId: key, tamper: tamper.checked,
          fetchJson: async (path) => (await api(path)).data,
        });
        output.replaceChildren(
          h('p', { id: 'verdict', class: result.ok ? 'ok' : 'error', role: result.ok ? 'status' : 'alert' }, result.summary),
          h('ol', { class: 'steps' }, result.steps.map((s) => h('li', { class: s.ok ? '' : 'error' }, `${s.ok ? '✓' : '✗'} ${s.text}`))));
      } catch (error) {
        output.replaceChildren(problem(error));
      }
    },
  };
}

run(async () => {
  const query = h('input', { id: 'entry-query', name: 'q', required: true, autocomplete: 'off', spellcheck: 'false', size: 60 });
  const scope = h('select', { id: 'entry-scope', name: 'scope' }, ['exact', 'path', 'host'].map((s) => h('option', { value: s }, s)));
  const result = h('div', { id: 'history', 'aria-live': 'polite' });
  const check = verifier();

  const search = async () => {
    const text = query.value.trim();
    const path = hexId.test(text)
      ? `/api/v1/audit/entries/${text}`
      : `/api/v1/audit/entries?url=${encodeURIComponent(text)}&scope=${encodeURIComponent(scope.value)}`;
    result.replaceChildren('Searching…');
    try {
      const { data } = await api(path);
      const leaves = data.history.map((item) => ({ ...item, parsed: JSON.parse(item.leaf) }));
      result.replaceChildren(
        h('dl', {},
          h('dt', {}, 'Entry id'), h('dd', {}, h('code', { id: 'entry-id' }, data.entryId)),
          h('dt', {}, 'Expression'), h('dd', {}, h('code', {}, data.expression ?? '—')),
          h('dt', {}, 'Scope'), h('dd', {}, data.scope ?? '—')),
        leaves.length === 0
          ? h('p', {}, 'This entry has never been in a published list.')
          : table(`History (${leaves.length} log leaves, oldest first)`, ['Leaf', 'Change', 'Published', 'Hotline', 'Reference', 'Verified by', 'Reason', 'Check'],
            leaves.map((item) => [String(item.index), describe(item.parsed), time(item.parsed.publishedAt), item.parsed.hotline ?? '—',
              item.parsed.reference ?? '—', (item.parsed.verifiedBy ?? []).join(', ') || '—', item.parsed.reason ?? '—',
              h('button', { type: 'button', 'aria-label': `Verify leaf ${item.index}`, onclick: () => check.verify(item) }, 'Verify')]),
            { id: 'history-table' }));
    } catch (error) {
      result.replaceChildren(problem(error));
    }
  };

  mount(
    h('form', { class: 'row', role: 'search', onsubmit: (event) => { event.preventDefault(); search(); } },
      h('label', {}, 'URL or entry id', query),
      h('label', {}, 'Scope (for a URL)', scope),
      h('button', { type: 'submit' }, 'Find history')),
    result,
    check.section);
});
