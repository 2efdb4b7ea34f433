// Admin: emergency revert. The admin picks a list and an earlier version; the page asks the API what the revert would
// do now (GET …/revert?toVersion=, read-only) and shows a confirmation that names the version and the number of
// entries it changes. Only the confirmation, with a required reason, sends the revert.
import { api, h, mount, problem, run, table, time } from './common.js';

function confirmation(preview, done) {
  const reason = h('textarea', { id: 'revert-reason', rows: 2, required: true, maxlength: 1000 });
  const status = h('div', { 'aria-live': 'polite' });
  const what = `Revert ${preview.list} to the state of version ${preview.toVersion}`;
  const send = async () => {
    if (reason.value.trim().length === 0) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'reason: say why the list is reverted; it is recorded in the transparency log.'));
      reason.focus();
      return;
    }
    try {
      const { data } = await api(`/api/v1/admin/lists/${encodeURIComponent(preview.list)}/revert`, {
        method: 'POST', body: { toVersion: preview.toVersion, reason: reason.value.trim() },
      });
      done(h('p', { id: 'revert-done', class: 'ok', role: 'status' },
        `Reverted ${data.list}: version ${data.version} has the state of version ${data.toVersion} (${data.listed} listed again, ${data.unlisted} delisted; state hash ${data.stateHash.slice(0, 16)}…). ISPs fetch it on their next poll.`));
    } catch (error) {
      status.replaceChildren(problem(error));
    }
  };
  return h('section', { id: 'revert-confirm', class: 'confirm', role: 'region', 'aria-labelledby': 'confirm-heading' },
    h('h2', { id: 'confirm-heading' }, `${what}?`),
    h('p', { id: 'revert-summary' },
      `This publishes ${preview.list} version ${preview.newVersion} now, bypassing holds: it changes ${preview.changes} entries `
      + `(${preview.listed} listed again, ${preview.unlisted} delisted), leaving ${preview.entryCount} entries, the state of version ${preview.toVersion}. `
      + `It is logged as a decision with your reason.`),
    h('div', { class: 'stack' }, h('label', { for: 'revert-reason' }, 'Reason (required, logged)'), reason),
    h('span', { class: 'row' },
      h('button', { type: 'button', class: 'danger', onclick: send }, `Confirm: revert ${preview.list} to version ${preview.toVersion} (${preview.changes} entries change)`),
      h('button', { type: 'button', class: 'secondary', onclick: () => done(null) }, 'Cancel')),
    status);
}

run(async () => {
  const { data } = await api('/api/v1/admin/lists');
  const list = h('select', { id: 'revert-list', name: 'list' }, data.lists.map((l) => h('option', { value: l.list }, `${l.list} (version ${l.version})`)));
  const version = h('input', { id: 'revert-to', name: 'toVersion', type: 'number', min: 1, step: 1, required: true, inputmode: 'numeric' });
  const area = h('div', { id: 'revert-area', 'aria-live': 'polite' });
  const done = (node) => area.replaceChildren(...(node ? [node] : []));
  const form = h('form', {
    class: 'row',
    onsubmit: async (event) => {
      event.preventDefault();
      area.replaceChildren('Working out what the revert would change…');
      try {
        const preview = (await api(`/api/v1/admin/lists/${encodeURIComponent(list.value)}/revert?toVersion=${encodeURIComponent(version.value.trim())}`)).data;
        area.replaceChildren(confirmation(preview, done));
        area.querySelector('textarea')?.focus();
      } catch (error) {
        area.replaceChildren(problem(error));
      }
    },
  },
  h('label', {}, 'List', list),
  h('label', {}, 'Revert to the state of version', version),
  h('button', { type: 'submit' }, 'Preview revert'));
  mount(
    h('p', {}, 'For an over-block: publish at once a new version whose entries are exactly those of an earlier version. The preview says what would change before anything is sent.'),
    table('Lists now', ['List', 'Version', 'Entries', 'Last publish'],
      data.lists.map((l) => [l.list, String(l.version), String(l.entryCount), time(l.lastPublished)]), { id: 'revert-lists' }),
    form, area);
});
