// Admin: items held because they touch a protected host; approve or reject each one, with a reason (it is logged).
import { api, h, mount, problem, run, table } from './common.js';

async function decide(item, verdict, reason, status) {
  if (reason.value.trim().length === 0) {
    status.replaceChildren(h('span', { class: 'error', role: 'alert' }, 'reason: write why; it is recorded with the decision.'));
    reason.focus();
    return;
  }
  status.replaceChildren('Saving…');
  try {
    const { data } = await api(`/api/v1/admin/reviews/${encodeURIComponent(item.submissionId)}/items/${item.index}/${verdict}`, { method: 'POST', body: { reason: reason.value.trim() } });
    status.replaceChildren(h('span', { class: 'ok' }, `${verdict === 'approve' ? 'Approved' : 'Rejected'}: ${data.result}`));
    status.closest('tr')?.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  } catch (error) {
    status.replaceChildren(problem(error));
  }
}

run(async () => {
  const { data } = await api('/api/v1/admin/reviews');
  mount(
    h('p', {}, 'Adds narrower than the whole host that touch a protected host wait here for an admin. Approving makes the item pending for its lists; rejecting records it as rejected by review.'),
    table('Items awaiting review', ['Expression', 'Scope', 'Lists', 'Hotline', 'Submission', 'Decision'],
      data.items.map((item) => {
        const status = h('span', { class: 'status', 'aria-live': 'polite' });
        const label = `${item.expression} (item ${item.index} of submission ${item.submissionId})`;
        const reason = h('input', { type: 'text', maxlength: 1000, 'aria-label': `Reason for ${label}`, placeholder: 'reason (required)' });
        return [
          h('code', {}, item.expression), item.scope, item.lists.join(', '), item.hotline, h('code', {}, `${item.submissionId} #${item.index}`),
          h('span', { class: 'row' },
            reason,
            h('button', { type: 'button', 'aria-label': `Approve ${label}`, onclick: () => decide(item, 'approve', reason, status) }, 'Approve'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Reject ${label}`, onclick: () => decide(item, 'reject', reason, status) }, 'Reject'),
            status),
        ];
      }), { id: 'reviews' }));
});
