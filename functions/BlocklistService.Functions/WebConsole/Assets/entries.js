// Auditor: an entry's full history by URL or id, and verification of any of its leaves in this browser.
import { api, h, mount, problem, run, table, time } from './common.js';
import { verifyInclusion } from './verify.js';

const hexId = /^[0-9a-f]{64}$/;

const isDecision = (leaf) => leaf.format === 'blocklist-decision/1';

function describe(leaf) {
  return isDecision(leaf) ? `decision: ${leaf.decision}` : `${leaf.kind} ${leaf.list} v${leaf.version}`;
}

/** What a decision was about, in words: list and version, a revert's target, the hold, submission item or appeal. */
function subjectOf(decision) {
  const s = decision.subject ?? {};
  return [
    s.list ? `${s.list}${s.version ? ` v${s.version}` : ''}` : null,
    s.toVersion ? `to the state of v${s.toVersion}` : null,
    s.hold ? `hold ${s.hold}` : null,
    s.submission ? `submission ${s.submission}${s.item !== null && s.item !== undefined ? ` item ${s.item}` : ''}` : null,
    s.appeal ? `appeal ${s.appeal}` : null,
    s.disposition ? `(${s.disposition})` : null,
  ].filter((part) => part).join(', ') || '—';
}

/** The human decisions (decision leaves) that named this entry: who, when, why, on what. */
function decisionsTable(decisions, verify) {
  return table(`Decisions that touched this entry (${decisions.length})`, ['Leaf', 'Decision', 'Decided', 'By', 'Reason', 'On', 'Check'],
    decisions.map((item) => [String(item.index), item.parsed.decision, time(item.parsed.decidedAt),
      `${item.parsed.actor.organisation} (${item.parsed.actor.role}, key ${item.parsed.actor.keyId})`, item.parsed.reason, subjectOf(item.parsed),
      h('button', { type: 'button', 'aria-label': `Verify decision leaf ${item.index}`, onclick: () => verify(item) }, 'Verify')]),
    { id: 'decisions-table' });
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
      const all = data.history.map((item) => ({ ...item, parsed: JSON.parse(item.leaf) }));
      const leaves = all.filter((item) => !isDecision(item.parsed));
      const decisions = all.filter((item) => isDecision(item.parsed));
      result.replaceChildren(
        h('dl', {},
          h('dt', {}, 'Entry id'), h('dd', {}, h('code', { id: 'entry-id' }, data.entryId)),
          h('dt', {}, 'Expression'), h('dd', {}, h('code', {}, data.expression ?? '—')),
          h('dt', {}, 'Scope'), h('dd', {}, data.scope ?? '—')),
        leaves.length === 0
          ? h('p', {}, 'This entry has never been in a published list.')
          : table(`Changes (${leaves.length} log leaves, oldest first)`, ['Leaf', 'Change', 'Published', 'Hotline', 'Reference', 'Verified by', 'Reason', 'Check'],
            leaves.map((item) => [String(item.index), describe(item.parsed), time(item.parsed.publishedAt), item.parsed.hotline ?? '—',
              item.parsed.reference ?? '—', (item.parsed.verifiedBy ?? []).join(', ') || '—', item.parsed.reason ?? '—',
              h('button', { type: 'button', 'aria-label': `Verify leaf ${item.index}`, onclick: () => check.verify(item) }, 'Verify')]),
            { id: 'history-table' }),
        decisions.length === 0 ? h('p', { id: 'no-decisions' }, 'No recorded human decision names this entry.') : decisionsTable(decisions, check.verify));
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
