// Admin: items held because they touch a protected host; approve or reject each one, with a reason (it is logged).
// Also whole-host entries listed before their host became protected: keep each listed, or delist it.
import { api, h, mount, problem, run, table, time } from './common.js';

// A decision answered, or refused with 409 because one was already made (another admin, an earlier click: its message
// names that decision, which stands): either way nothing is left to decide on this row.
function settle(status) {
  status.closest('tr')?.querySelectorAll('button').forEach((b) => { b.disabled = true; });
}

function refused(error, status) {
  status.replaceChildren(problem(error));
  if (error?.status === 409) settle(status);
}

// Posts one decision with its reason (none is refused here, before any request) and shows what came of it.
async function postDecision(path, reason, status, outcome) {
  if (reason.value.trim().length === 0) {
    status.replaceChildren(h('span', { class: 'error', role: 'alert' }, 'reason: write why; it is recorded with the decision.'));
    reason.focus();
    return;
  }
  status.replaceChildren('Saving…');
  try {
    const { data } = await api(path, { method: 'POST', body: { reason: reason.value.trim() } });
    status.replaceChildren(h('span', { class: 'ok' }, outcome(data)));
    settle(status);
  } catch (error) {
    refused(error, status);
  }
}

function decide(item, verdict, reason, status) {
  return postDecision(`/api/v1/admin/reviews/${encodeURIComponent(item.submissionId)}/items/${item.index}/${verdict}`, reason, status,
    (data) => `${verdict === 'approve' ? 'Approved' : 'Rejected'}: ${data.result}`);
}

function decideListed(review, verdict, reason, status) {
  return postDecision(`/api/v1/admin/reviews/listed/${encodeURIComponent(review.list)}/${encodeURIComponent(review.entryId)}/${verdict}`, reason, status,
    (data) => (data.result === 'kept' ? 'Kept listed' : 'Delisted: the next version removes it'));
}

function listedTable(listed) {
  return table('Listed whole-host entries on hosts now protected', ['Expression', 'List', 'Protected host', 'Backed by', 'Queued', 'Decision'],
    listed.map((review) => {
      const status = h('span', { class: 'status', 'aria-live': 'polite' });
      const label = `${review.expression} in ${review.list}`;
      const reason = h('input', { type: 'text', maxlength: 1000, 'aria-label': `Reason for ${label}`, placeholder: 'reason (required)' });
      return [
        h('code', {}, review.expression), review.list, review.protectedHost, review.hotlines.join(', ') || '—', time(review.queued),
        h('span', { class: 'row' },
          reason,
          h('button', { type: 'button', 'aria-label': `Keep listed ${label}`, onclick: () => decideListed(review, 'keep', reason, status) }, 'Keep listed'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delist ${label}`, onclick: () => decideListed(review, 'delist', reason, status) }, 'Delist'),
          status),
      ];
    }), { id: 'listed-reviews' });
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
      }), { id: 'reviews' }),
    h('p', {}, 'When the protected hosts change, whole-host entries already listed on a host now protected wait here. They stay listed until decided: keep one listed, or delist it (every backing is withdrawn and the next version removes it).'),
    listedTable(data.listed ?? []));
});
