// Appeals concerning the hotline's entries (an admin sees all): read the appeal, then uphold or dismiss it as an
// analyst who was not among those who verified or withdrew the entry — the rule is shown before the form is sent.
import { api, h, mount, problem, run, session, table, time } from './common.js';

function concerns(appeal) {
  return table('Listed entries it concerns', ['Expression', 'Scope', 'List', 'Hotlines'],
    appeal.concerns.map((c) => [h('code', {}, c.expression ?? c.entryId), c.scope ?? '—', c.list ?? '—', c.hotlines.join(', ')]));
}

function decisionForm(appeal, reload, notice) {
  const id = appeal.ticket;
  const analyst = h('input', { id: `analyst-${id}`, name: 'analyst', required: true, autocomplete: 'off', 'aria-describedby': `rule-${id}` });
  const reason = h('textarea', { id: `reason-${id}`, name: 'reason', rows: 3, required: true, maxlength: 1000 });
  const uphold = h('input', { type: 'radio', name: `decision-${id}`, value: 'uphold', id: `uphold-${id}` });
  const dismiss = h('input', { type: 'radio', name: `decision-${id}`, value: 'dismiss', id: `dismiss-${id}`, checked: true });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (event) => {
      event.preventDefault();
      status.replaceChildren('Saving…');
      try {
        const { data } = await api(`/api/v1/appeals/${encodeURIComponent(id)}/decision`, {
          method: 'POST',
          body: { decision: uphold.checked ? 'uphold' : 'dismiss', analyst: analyst.value.trim(), reason: reason.value.trim() },
        });
        notice.replaceChildren(h('p', { class: 'ok', role: 'status' },
          `Appeal ${data.ticket} ${data.status} by analyst ${data.analyst}; logged as decision leaf ${data.logIndex}.`));
        await reload();
      } catch (error) {
        status.replaceChildren(problem(error));
        const field = error.problem?.errors ? Object.keys(error.problem.errors)[0] : null;
        if (field === 'analyst') analyst.focus();
      }
    },
  },
  h('p', { id: `rule-${id}`, class: 'rule' }, h('strong', {}, 'Different-analyst rule: '),
    'the analyst who re-assesses the URL must not be one of those who verified or withdrew the entry it concerns; the service refuses the decision otherwise.'),
  h('fieldset', {}, h('legend', {}, 'Decision'),
    h('label', { for: `uphold-${id}` }, uphold, ' Uphold (withdraw the entry: it is removed in the next version)'),
    h('label', { for: `dismiss-${id}` }, dismiss, ' Dismiss (the entry stays listed)')),
  h('label', { for: `analyst-${id}` }, 'Re-assessing analyst id'), analyst,
  h('label', { for: `reason-${id}` }, 'Reason (the appellant reads it)'), reason,
  h('button', { type: 'submit' }, `Decide appeal ${id}`),
  status);
  return form;
}

run(async () => {
  const filter = h('select', { id: 'appeal-status' }, ['open', 'upheld', 'dismissed', 'all'].map((s) => h('option', { value: s }, s)));
  const notice = h('div', { id: 'appeal-notice', 'aria-live': 'polite' });
  const area = h('div', { id: 'appeals' });
  const reload = async () => {
    const query = filter.value === 'all' ? '' : `?status=${filter.value}`;
    const { data } = await api(`/api/v1/appeals${query}`);
    area.replaceChildren(...(data.appeals.length === 0 ? [h('p', {}, `No ${filter.value === 'all' ? '' : `${filter.value} `}appeal.`)] : data.appeals.map((appeal) =>
      h('section', { class: 'appeal', 'aria-labelledby': `appeal-${appeal.ticket}` },
        h('h2', { id: `appeal-${appeal.ticket}` }, `Appeal ${appeal.ticket} (${appeal.status}${appeal.stale ? ', overdue' : ''})`),
        h('dl', {},
          h('dt', {}, 'Received'), h('dd', {}, time(appeal.received)),
          h('dt', {}, 'URL'), h('dd', {}, h('code', {}, appeal.url)),
          h('dt', {}, 'Statement'), h('dd', { class: 'statement' }, appeal.statement),
          appeal.contact ? [h('dt', {}, 'Contact'), h('dd', {}, appeal.contact)] : null,
          appeal.decision ? [h('dt', {}, 'Decision'), h('dd', {}, `${appeal.decision.outcome} at ${time(appeal.decision.decidedAt)} by analyst ${appeal.analyst}: ${appeal.decision.reason}`)] : null),
        concerns(appeal),
        appeal.status === 'open' ? decisionForm(appeal, reload, notice) : null))));
  };
  filter.addEventListener('change', () => reload().catch((error) => area.replaceChildren(problem(error))));
  mount(
    h('p', {}, session.role === 'admin' ? 'Every appeal.' : 'Appeals about URLs that match entries your hotline backs.'),
    h('div', { class: 'row' }, h('label', {}, 'Status', filter)),
    notice, area);
  await reload();
});
