// Admin: versions the change guard held (they change too much of a list); approve publishes, reject drops, both need a reason.
import { api, h, mount, problem, run, table, time } from './common.js';

function decisionForm(hold, reload, notice) {
  const reason = h('textarea', { id: `reason-${hold.id}`, rows: 2, required: true, minlength: 3 });
  const status = h('div', { 'aria-live': 'polite' });
  const decide = async (verdict) => {
    if (reason.value.trim().length < 3) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'reason: write why (at least 3 characters); it is recorded with the decision.'));
      reason.focus();
      return;
    }
    try {
      // If-Match: the decision applies to the change set shown here; a changed one answers 412
      const { data } = await api(`/api/v1/admin/holds/${encodeURIComponent(hold.id)}/${verdict}`, {
        method: 'POST', body: { reason: reason.value.trim() }, headers: { 'If-Match': `"${hold.digest}"` },
      });
      const published = data.published ? ` Published ${data.published.list} version ${data.published.version}.` : '';
      // the hold's own form goes away with the reload, so the outcome is told above the list
      notice.replaceChildren(h('p', { class: 'ok', role: 'status' }, `${verdict === 'approve' ? 'Approved' : 'Rejected'} ${hold.list} version ${hold.version}.${published}`));
      await reload();
    } catch (error) {
      status.replaceChildren(problem(error));
    }
  };
  return h('div', { class: 'stack' },
    h('label', { for: `reason-${hold.id}` }, `Reason for the decision on ${hold.list} version ${hold.version} (required)`), reason,
    h('span', { class: 'row' },
      h('button', { type: 'button', onclick: () => decide('approve') }, `Approve ${hold.list} v${hold.version}`),
      h('button', { type: 'button', class: 'danger', onclick: () => decide('reject') }, `Reject ${hold.list} v${hold.version}`)),
    status);
}

run(async () => {
  const area = h('div', {});
  const notice = h('div', { id: 'hold-notice', 'aria-live': 'polite' });
  const reload = async () => {
    const { data } = await api('/api/v1/admin/holds');
    const open = data.holds.filter((hold) => hold.status === 'held');
    const decided = data.holds.filter((hold) => hold.status !== 'held');
    area.replaceChildren(
      open.length === 0 ? h('p', {}, 'No version is held.') : h('div', {}, open.map((hold) => h('section', { class: 'hold', 'aria-labelledby': `hold-${hold.id}` },
        h('h2', { id: `hold-${hold.id}` }, `${hold.list} version ${hold.version}`),
        h('dl', {},
          h('dt', {}, 'Entries before'), h('dd', {}, String(hold.countBefore)),
          h('dt', {}, 'Would list'), h('dd', {}, String(hold.listed)),
          h('dt', {}, 'Would unlist'), h('dd', {}, String(hold.unlisted)),
          h('dt', {}, 'Held at'), h('dd', {}, time(hold.held)),
          h('dt', {}, 'Submissions'), h('dd', {}, hold.submissions.join(', '))),
        decisionForm(hold, reload, notice)))),
      table('Decided holds', ['List', 'Version', 'Listed', 'Unlisted', 'Status'],
        decided.map((hold) => [hold.list, String(hold.version), String(hold.listed), String(hold.unlisted), hold.status])));
  };
  mount(h('p', {}, 'A version that would change more than the configured share of a list waits here. Approving publishes it; rejecting drops its changes.'), notice, area);
  await reload();
});
