// Hotline: its own submissions, newest first, with how many items are in each state; one submission's items with
// their status per list, filtered by state or text.
import { api, h, mount, problem, run, table, time } from './common.js';

/** States in the order a hotline reads them: what went live, what is on its way, what needs attention. */
const stateOrder = ['published', 'pending', 'held', 'rejected'];

const stateWords = (states) => stateOrder.filter((s) => states[s]).map((s) => `${states[s]} ${s}`)
  .concat(Object.keys(states).filter((s) => !stateOrder.includes(s)).map((s) => `${states[s]} ${s}`)).join(', ') || '—';

/** One item's reason in words: a hold rejection names the hold. */
const reasonOf = (item) => (item.hold ? `${item.reason} (hold ${item.hold})` : (item.reason ?? ''));

function itemsView() {
  const stateFilter = h('select', { id: 'state-filter' }, h('option', { value: 'all' }, 'all'));
  const textFilter = h('input', { id: 'text-filter', type: 'search', autocomplete: 'off' });
  const result = h('div', { id: 'submission', 'aria-live': 'polite' });
  let current = null;

  const render = () => {
    if (!current) return;
    const wanted = stateFilter.value;
    const text = textFilter.value.trim().toLowerCase();
    const items = current.items.filter((item) => (wanted === 'all' || item.state === wanted)
      && (text === '' || `${item.expression ?? ''} ${item.reference ?? ''}`.toLowerCase().includes(text)));
    result.replaceChildren(
      h('p', {}, `Submission ${current.submissionId}, received ${time(current.received)}: ${current.items.length} items, ${items.length} shown.`),
      table('Items', ['#', 'Action', 'Expression', 'Reference', 'State', 'Reason', 'Per list'],
        items.map((item) => [String(item.index), item.action ?? '—', h('code', {}, item.expression ?? '—'), item.reference ?? '—', item.state, reasonOf(item),
          item.lists.map((l) => `${l.list}: ${l.state}${l.version ? ` in v${l.version}` : ''}${l.hold ? ` (hold ${l.hold})` : ''}`).join('; ')]),
        { id: 'items' }));
  };
  stateFilter.addEventListener('change', render);
  textFilter.addEventListener('input', render);

  const show = async (submissionId) => {
    result.replaceChildren('Loading…');
    try {
      current = (await api(`/api/v1/submissions/${encodeURIComponent(submissionId)}`)).data;
      const states = [...new Set(current.items.map((item) => item.state))].sort();
      stateFilter.replaceChildren(h('option', { value: 'all' }, 'all'), ...states.map((s) => h('option', { value: s }, s)));
      render();
      result.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      current = null;
      result.replaceChildren(problem(error));
    }
  };

  const id = h('input', { id: 'submission-id', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'row', onsubmit: (event) => { event.preventDefault(); show(id.value.trim()); } },
    h('label', {}, 'Submission id', id),
    h('button', { type: 'submit' }, 'Show'),
    h('label', {}, 'State', stateFilter),
    h('label', {}, 'Expression or reference contains', textFilter));
  const section = h('section', { 'aria-labelledby': 'items-heading' }, h('h2', { id: 'items-heading' }, 'Items of a submission'), form, result);
  return { section, show: (submissionId) => { id.value = submissionId; return show(submissionId); } };
}

function listView(items) {
  const onlyState = h('select', { id: 'list-state-filter' }, h('option', { value: 'all' }, 'any state'), stateOrder.map((s) => h('option', { value: s }, `has ${s} items`)));
  const area = h('div', { id: 'submission-list', 'aria-live': 'polite' });
  const pages = [null]; // the cursor of each page shown so far, so Previous goes back without the API keeping state
  let page = 0;
  let loaded = null;

  const render = () => {
    const wanted = onlyState.value;
    const rows = loaded.submissions.filter((s) => wanted === 'all' || (s.states[wanted] ?? 0) > 0);
    area.replaceChildren(
      table(`Your submissions, newest first (page ${page + 1}; ${rows.length} of ${loaded.submissions.length} shown)`, ['Submission', 'Received', 'Items', 'States', ''],
        rows.map((s) => [h('code', {}, s.submissionId), time(s.received), String(s.items), stateWords(s.states),
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Show items of ${s.submissionId}`, onclick: () => items.show(s.submissionId) }, 'Items')]),
        { id: 'submissions' }),
      h('span', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => load(page - 1) }, 'Newer'),
        h('button', { type: 'button', class: 'secondary', disabled: !loaded.next, onclick: () => { pages[page + 1] = loaded.next; load(page + 1); } }, 'Older')));
  };
  const load = async (index) => {
    try {
      const cursor = pages[index];
      loaded = (await api(`/api/v1/submissions?limit=20${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`)).data;
      page = index;
      render();
    } catch (error) {
      area.replaceChildren(problem(error));
    }
  };
  onlyState.addEventListener('change', () => loaded && render());
  const section = h('section', { 'aria-labelledby': 'list-heading' },
    h('h2', { id: 'list-heading' }, 'Submissions'),
    h('div', { class: 'row' }, h('label', {}, 'Show submissions', onlyState)),
    area);
  return { section, load: () => load(0) };
}

run(async () => {
  const items = itemsView();
  const list = listView(items);
  mount(h('p', {}, 'Each item is rejected (and why), held for review, pending, or published in which list version. Choose a submission, or enter its id.'),
    list.section, items.section);
  await list.load();
});
