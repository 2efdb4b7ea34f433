// The dashboard: what matters now for the signed-in role, from aggregates only (never the log's leaves).
import { api, h, mount, run, session, table, time } from './common.js';

async function admin() {
  const [lists, reviews, holds, isps] = await Promise.all([
    api('/api/v1/admin/lists'), api('/api/v1/admin/reviews'), api('/api/v1/admin/holds'), api('/api/v1/admin/isps'),
  ]);
  const pendingHolds = holds.data.holds.filter((hold) => hold.status === 'held');
  const behind = isps.data.isps.filter((isp) => isp.lists.some((list) => (list.lag ?? 0) > 0));
  mount(
    h('ul', { class: 'tiles' },
      h('li', {}, h('a', { href: '/console/reviews' }, h('strong', { id: 'review-count' }, String(reviews.data.items.length + (reviews.data.listed ?? []).length)), ' items awaiting review')),
      h('li', {}, h('a', { href: '/console/holds' }, h('strong', { id: 'hold-count' }, String(pendingHolds.length)), ' held versions')),
      h('li', {}, h('a', { href: '/console/isps' }, h('strong', {}, String(behind.length)), ' ISPs behind the current version'))),
    table('Lists', ['List', 'Version', 'Entries', 'Last publish', 'Next publish run'],
      lists.data.lists.map((list) => [list.list, String(list.version), String(list.entryCount), time(list.lastPublished), time(list.nextRun)]),
      { id: 'lists' }));
}

async function auditor() {
  const [checkpoint, lists] = await Promise.all([api('/api/v1/audit/log/checkpoint').catch(() => null), api('/api/v1/audit/lists')]);
  mount(
    h('section', { 'aria-labelledby': 'log-heading' },
      h('h2', { id: 'log-heading' }, 'Transparency log'),
      checkpoint
        ? h('dl', { id: 'checkpoint' },
          h('dt', {}, 'Size'), h('dd', {}, `${checkpoint.data.size.toLocaleString('en')} leaves`),
          h('dt', {}, 'Root hash'), h('dd', {}, h('code', {}, checkpoint.data.rootHash)),
          h('dt', {}, 'Signed at'), h('dd', {}, time(checkpoint.data.time)),
          h('dt', {}, 'Key id'), h('dd', {}, h('code', {}, checkpoint.data.keyId)))
        : h('p', {}, 'Nothing has been logged yet.')),
    h('section', { 'aria-labelledby': 'tools-heading' },
      h('h2', { id: 'tools-heading' }, 'Tools'),
      h('ul', {},
        h('li', {}, h('a', { href: '/console/entries' }, 'Find an entry’s history and verify it in this browser')),
        h('li', {}, h('a', { href: '/console/charts' }, `Charts of list size and changes per version (${lists.data.lists.join(', ')})`)))));
}

function hotline() {
  mount(h('ul', {},
    h('li', {}, h('a', { href: '/console/submissions' }, 'Submissions'), ': your submissions, newest first, and the status of each item per list.'),
    h('li', {}, h('a', { href: '/console/appeals' }, 'Appeals'), ': appeals about URLs your hotline’s entries match, and the decision form.')));
}

run(async () => {
  if (session.role === 'admin') await admin();
  else if (session.role === 'auditor') await auditor();
  else hotline();
});
