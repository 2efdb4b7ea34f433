// Admin: API keys. Issue one (its secret is shown once, here), list them, revoke one after confirming.
import { api, h, mount, problem, run, table, time } from './common.js';

function issueForm(onIssued) {
  const role = h('select', { id: 'issue-role', name: 'role' }, ['hotline', 'isp', 'auditor', 'admin'].map((r) => h('option', { value: r }, r)));
  const organisation = h('input', { id: 'issue-organisation', name: 'organisation', required: true, pattern: '[a-z0-9-]{1,64}', autocomplete: 'off' });
  const lists = h('input', { id: 'issue-lists', name: 'lists', placeholder: 'eu, uk or *', autocomplete: 'off' });
  // an ISP key's feed entitlement: the readable list, or only hashed ids (docs/hashed-feed.md)
  const feed = h('select', { id: 'issue-feed', name: 'feed' },
    h('option', { value: 'plain' }, 'plain (expressions)'), h('option', { value: 'hashed' }, 'hashed (ids only)'));
  const feedField = h('label', { id: 'issue-feed-field' }, 'Feed (ISP keys)', feed);
  const showFeed = () => { feedField.hidden = role.value !== 'isp'; };
  role.addEventListener('change', showFeed);
  showFeed();
  const reason = h('input', { id: 'issue-reason', name: 'reason', required: true, maxlength: 1000, autocomplete: 'off' });
  const result = h('div', { id: 'issued', 'aria-live': 'polite' });
  const form = h('form', {
    class: 'row',
    onsubmit: async (event) => {
      event.preventDefault();
      result.replaceChildren('Issuing…');
      const names = lists.value.split(',').map((l) => l.trim()).filter((l) => l.length > 0);
      try {
        const { data } = await api('/api/v1/admin/keys', {
          method: 'POST',
          body: { role: role.value, organisation: organisation.value, lists: names.length > 0 ? names : undefined,
            feed: role.value === 'isp' ? feed.value : undefined, reason: reason.value.trim() },
        });
        result.replaceChildren(h('div', { class: 'secret', role: 'status' },
          h('p', {}, h('strong', {}, `New ${data.info.role} key for ${data.info.organisation}${data.info.feed ? ` (${data.info.feed} feed)` : ''}. `), 'Copy it now: it is shown only this once and the service keeps only its hash.'),
          h('p', {}, h('code', { id: 'issued-key' }, data.key))));
        form.reset();
        showFeed();
        await onIssued();
      } catch (error) {
        result.replaceChildren(problem(error));
      }
    },
  },
  h('label', {}, 'Role', role),
  h('label', {}, 'Organisation', organisation),
  h('label', {}, 'Lists (ISP keys)', lists),
  feedField,
  h('label', {}, 'Reason (logged)', reason),
  h('button', { type: 'submit' }, 'Issue key'));
  return h('section', { 'aria-labelledby': 'issue-heading' }, h('h2', { id: 'issue-heading' }, 'Issue a key'), form, result);
}

function revokeCell(key, reload) {
  const cell = h('span', { class: 'row' });
  const reason = h('input', { type: 'text', maxlength: 1000, 'aria-label': `Reason for revoking ${key.keyId}`, placeholder: 'reason (required)' });
  const ask = () => {
    cell.replaceChildren(
      h('span', {}, `Revoke ${key.keyId} (${key.role}, ${key.organisation})? Its next API call is refused.`),
      reason,
      h('button', { type: 'button', class: 'danger', onclick: revoke }, `Confirm revoke ${key.keyId}`),
      h('button', { type: 'button', class: 'secondary', onclick: () => cell.replaceChildren(start()) }, 'Cancel'));
    cell.querySelector('button')?.focus();
  };
  const revoke = async () => {
    try {
      await api(`/api/v1/admin/keys/${encodeURIComponent(key.keyId)}`, { method: 'DELETE', body: { reason: reason.value.trim() } });
      await reload();
    } catch (error) {
      cell.replaceChildren(problem(error));
    }
  };
  const start = () => h('button', { type: 'button', class: 'secondary', 'aria-label': `Revoke key ${key.keyId}`, onclick: ask }, 'Revoke');
  cell.replaceChildren(key.revoked ? h('span', { class: 'muted' }, `revoked ${time(key.revoked)}`) : start());
  return cell;
}

run(async () => {
  const listing = h('div', { id: 'key-list' });
  const reload = async () => {
    const { data } = await api('/api/v1/admin/keys');
    listing.replaceChildren(table('Keys (newest first; secrets are never shown again)', ['Key id', 'Role', 'Organisation', 'Lists', 'Feed', 'Issued', 'State'],
      data.keys.map((key) => [h('code', {}, key.keyId), key.role, key.organisation, key.lists.join(', ') || '—', key.feed ?? '—', time(key.created), revokeCell(key, reload)]),
      { id: 'keys' }));
  };
  mount(issueForm(reload), h('section', { 'aria-labelledby': 'keys-heading' }, h('h2', { id: 'keys-heading' }, 'All keys'), listing));
  await reload();
});
