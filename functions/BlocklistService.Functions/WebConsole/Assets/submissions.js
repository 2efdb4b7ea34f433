// Hotline: one submission's items with their status per list, filtered by state or text.
import { api, h, mount, problem, run, table, time } from './common.js';

/** The item's state as the API reports it: published, pending, held, or a rejection. */
const itemState = (item) => item.state;

run(async () => {
  const id = h('input', { id: 'submission-id', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
  const stateFilter = h('select', { id: 'state-filter' }, h('option', { value: 'all' }, 'all'));
  const textFilter = h('input', { id: 'text-filter', type: 'search', autocomplete: 'off' });
  const result = h('div', { id: 'submission', 'aria-live': 'polite' });
  let current = null;

  const render = () => {
    if (!current) return;
    const wanted = stateFilter.value;
    const text = textFilter.value.trim().toLowerCase();
    const items = current.items.filter((item) => (wanted === 'all' || itemState(item) === wanted)
      && (text === '' || (item.expression ?? '').toLowerCase().includes(text)));
    result.replaceChildren(
      h('p', {}, `Submission ${current.submissionId}, received ${time(current.received)}: ${current.items.length} items, ${items.length} shown.`),
      table('Items', ['#', 'Action', 'Expression', 'State', 'Reason', 'Per list'],
        items.map((item) => [String(item.index), item.action ?? '—', h('code', {}, item.expression ?? '—'), itemState(item), item.reason ?? '',
          item.lists.map((l) => `${l.list}: ${l.state}${l.version ? ` in v${l.version}` : ''}`).join('; ')]),
        { id: 'items' }));
  };
  stateFilter.addEventListener('change', render);
  textFilter.addEventListener('input', render);

  const form = h('form', {
    class: 'row',
    onsubmit: async (event) => {
      event.preventDefault();
      result.replaceChildren('Loading…');
      try {
        current = (await api(`/api/v1/submissions/${encodeURIComponent(id.value.trim())}`)).data;
        const states = [...new Set(current.items.map(itemState))].sort();
        stateFilter.replaceChildren(h('option', { value: 'all' }, 'all'), ...states.map((s) => h('option', { value: s }, s)));
        render();
      } catch (error) {
        current = null;
        result.replaceChildren(problem(error));
      }
    },
  },
  h('label', {}, 'Submission id', id),
  h('button', { type: 'submit' }, 'Show'),
  h('label', {}, 'State', stateFilter),
  h('label', {}, 'Expression contains', textFilter));
  mount(h('p', {}, 'Every submission answer names its id; enter it to see each item: rejected (and why), held for review, pending, or published in which list version.'), form, result);
});
