// Admin: versions the change guard held (they change too much of a list). Each shows its exact change set as the API
// records it (counts by scope, category and hotline; every host-scope entry; every entry on a protected host; every
// change, a page at a time) and the decision form: a required reason, sent with the change set's digest as If-Match,
// so the decision applies to exactly what is shown here (a changed set answers 412).
import { api, h, mount, problem, run, table, time } from './common.js';

/** Changes per page of the full change set. */
const pageSize = 50;

const holdPath = (hold) => `/api/v1/admin/holds/${encodeURIComponent(hold.id)}`;

/** A small two-column table of counts, largest first. */
function counts(caption, tally, id) {
  const rows = Object.entries(tally ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return table(caption, ['Value', 'Changes'], rows.map(([key, count]) => [key || '—', String(count)]), { id, class: 'counts' });
}

/** One row per change: what it does, to which entry, for whom. */
function changeRows(changes) {
  return changes.map((c) => [c.kind, h('code', {}, c.expression), c.scope, c.category, c.hotline, c.reference || '—',
    c.protectedHost ? h('strong', { class: 'error' }, 'protected host') : '']);
}

const changeColumns = ['Change', 'Expression', 'Scope', 'Category', 'Hotline', 'Reference', 'Note'];

function decisionForm(hold, digest, reload, notice) {
  const reason = h('textarea', { id: `reason-${hold.id}`, rows: 2, required: true, minlength: 3, maxlength: 1000 });
  const dropItems = h('input', { id: `drop-${hold.id}`, type: 'checkbox' });
  const status = h('div', { 'aria-live': 'polite' });
  const decide = async (verdict) => {
    if (reason.value.trim().length < 3) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'reason: write why (at least 3 characters); it is recorded with the decision.'));
      reason.focus();
      return;
    }
    try {
      const body = { reason: reason.value.trim() };
      if (verdict === 'reject') body.items = dropItems.checked ? 'reject' : 'keep-pending';
      const { data } = await api(`${holdPath(hold)}/${verdict}`, { method: 'POST', body, headers: { 'If-Match': `"${digest}"` } });
      const published = data.published ? ` Published ${data.published.list} version ${data.published.version}.` : '';
      const dropped = verdict === 'reject' ? (dropItems.checked ? ' Its items are rejected.' : ' Its items stay pending for the next cycle.') : '';
      // the hold's own form goes away with the reload, so the outcome is told above the list
      notice.replaceChildren(h('p', { class: 'ok', role: 'status' }, `${verdict === 'approve' ? 'Approved' : 'Rejected'} ${hold.list} version ${hold.version}.${published}${dropped}`));
      await reload();
    } catch (error) {
      status.replaceChildren(problem(error));
    }
  };
  return h('div', { class: 'stack' },
    h('label', { for: `reason-${hold.id}` }, `Reason for the decision on ${hold.list} version ${hold.version} (required, logged)`), reason,
    h('label', { class: 'check' }, dropItems, ' On reject, reject the held items too (otherwise they stay pending)'),
    h('span', { class: 'row' },
      h('button', { type: 'button', onclick: () => decide('approve') }, `Approve ${hold.list} v${hold.version}`),
      h('button', { type: 'button', class: 'danger', onclick: () => decide('reject') }, `Reject ${hold.list} v${hold.version}`)),
    h('p', { class: 'muted' }, `Approval publishes exactly these ${hold.changes} changes (digest ${digest.slice(0, 12)}…); anything submitted since waits for the next cycle.`),
    status);
}

/** The full change set, a page at a time (the API pages it; the page never holds more than one page). */
function changePager(hold, first) {
  const area = h('div', { id: `changes-${hold.id}` });
  const show = (detail) => {
    const from = detail.offset + 1;
    const to = detail.offset + detail.changes.length;
    const previous = detail.offset > 0 ? Math.max(0, detail.offset - pageSize) : null;
    area.replaceChildren(
      table(`Every change (${from}–${to} of ${hold.changes})`, changeColumns, changeRows(detail.changes), { class: 'changes' }),
      h('span', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', disabled: previous === null, onclick: () => go(previous) }, 'Previous changes'),
        h('button', { type: 'button', class: 'secondary', disabled: detail.nextOffset === null, onclick: () => go(detail.nextOffset) }, 'Next changes')));
  };
  const go = async (offset) => {
    try {
      show((await api(`${holdPath(hold)}?offset=${offset}&limit=${pageSize}`)).data);
      area.querySelector('caption')?.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      area.replaceChildren(problem(error));
    }
  };
  show(first);
  return area;
}

async function heldSection(hold, reload, notice) {
  const { data, response } = await api(`${holdPath(hold)}?limit=${pageSize}`);
  const digest = (response.headers.get('ETag') ?? `"${hold.digest}"`).replace(/^W\//, '').replaceAll('"', '');
  const c = data.counts;
  return h('section', { class: 'hold', 'aria-labelledby': `hold-${hold.id}` },
    h('h2', { id: `hold-${hold.id}` }, `${hold.list} version ${hold.version}`),
    h('dl', {},
      h('dt', {}, 'Entries before'), h('dd', {}, String(hold.countBefore)),
      h('dt', {}, 'Would list'), h('dd', {}, String(c.listed)),
      h('dt', {}, 'Would unlist'), h('dd', {}, String(c.unlisted)),
      h('dt', {}, 'Changes (log leaves)'), h('dd', {}, String(c.changes)),
      h('dt', {}, 'Held at'), h('dd', {}, time(hold.held)),
      h('dt', {}, 'Change-set digest'), h('dd', {}, h('code', { class: 'digest' }, digest))),
    h('div', { class: 'columns' },
      counts('By scope', c.byScope, `by-scope-${hold.id}`),
      counts('By category', c.byCategory, `by-category-${hold.id}`),
      counts('By hotline', c.byHotline, `by-hotline-${hold.id}`)),
    table(`Whole-host blocks (${data.hostScope.length})`, changeColumns, changeRows(data.hostScope), { class: 'host-scope' }),
    table(`Entries on protected hosts (${data.protectedHosts.length})`, changeColumns, changeRows(data.protectedHosts), { class: 'protected' }),
    changePager(hold, data),
    decisionForm(hold, digest, reload, notice));
}

run(async () => {
  const area = h('div', {});
  const notice = h('div', { id: 'hold-notice', 'aria-live': 'polite' });
  const reload = async () => {
    const { data } = await api('/api/v1/admin/holds');
    const open = data.holds.filter((hold) => hold.status === 'held');
    const decided = data.holds.filter((hold) => hold.status !== 'held');
    const sections = await Promise.all(open.map((hold) => heldSection(hold, reload, notice)));
    area.replaceChildren(
      open.length === 0 ? h('p', {}, 'No version is held.') : h('div', {}, sections),
      table('Decided holds', ['List', 'Version', 'Listed', 'Unlisted', 'Status'],
        decided.map((hold) => [hold.list, String(hold.version), String(hold.listed), String(hold.unlisted), hold.status]), { id: 'decided-holds' }));
  };
  mount(h('p', {}, 'A version that would change more than the configured share of a list waits here with the exact set of changes it would publish. Approving publishes that set and nothing else; rejecting keeps its items pending or rejects them.'), notice, area);
  await reload();
});
