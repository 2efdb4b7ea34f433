// Admin: every ISP key, the version each list was last applied at and how far behind it is, coloured by lateness.
import { api, h, mount, run, table, time } from './common.js';

/** Lateness as a class and words (never colour alone): up to date, a little behind, far behind or never seen. */
export function lateness(lag) {
  if (lag === null || lag === undefined) return { level: 2, text: 'never polled' };
  if (lag === 0) return { level: 0, text: 'up to date' };
  if (lag <= 2) return { level: 1, text: `${lag} version${lag === 1 ? '' : 's'} behind` };
  return { level: 2, text: `${lag} versions behind` };
}

run(async () => {
  const { data } = await api('/api/v1/admin/isps');
  const rows = [];
  for (const isp of data.isps) {
    for (const list of isp.lists) {
      const late = lateness(list.lag);
      rows.push([
        isp.organisation, h('code', {}, isp.keyId), list.list, String(list.currentVersion),
        list.reportedVersion === null ? '—' : String(list.reportedVersion),
        h('span', { class: `lag-${late.level}`, 'data-lag': String(list.lag ?? '') }, late.text),
        time(list.lastPoll), isp.revoked ? 'revoked' : 'active',
      ]);
    }
  }
  mount(
    h('p', {}, 'The version an ISP last reported (the since= of its last poll) against the current version of each list. Green: up to date; amber: one or two versions behind; red: three or more, or never polled.'),
    table('ISPs and lag', ['ISP', 'Key id', 'List', 'Current', 'Applied', 'Lag', 'Last poll', 'Key'], rows, { id: 'isps' }));
});
