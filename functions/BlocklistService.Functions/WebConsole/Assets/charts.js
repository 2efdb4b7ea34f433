// Auditor: a list's size and its changes per version, drawn as SVG from per-version aggregates (never from leaves).
import { api, h, mount, problem, run, table, time } from './common.js';

const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

const width = 900;
const height = 260;
const pad = { left: 70, right: 16, top: 16, bottom: 36 };

function frame(title, id, versions) {
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-labelledby': `${id}-title`, id });
  chart.append(svg('title', { id: `${id}-title` }, title));
  const first = versions[0].version;
  const last = versions[versions.length - 1].version;
  chart.append(
    svg('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, stroke: '#4f5863' }),
    svg('text', { x: pad.left, y: height - 10 }, `v${first}`),
    svg('text', { x: width - pad.right, y: height - 10, 'text-anchor': 'end' }, `v${last}`));
  const x = (version) => pad.left + (last === first ? 0 : ((version - first) / (last - first)) * (width - pad.left - pad.right));
  return { chart, x };
}

function sizeChart(versions) {
  const { chart, x } = frame('Entries in the list after each version', 'size-chart', versions);
  const max = Math.max(1, ...versions.map((v) => v.entryCount));
  const y = (count) => height - pad.bottom - (count / max) * (height - pad.top - pad.bottom);
  chart.append(
    svg('text', { x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end' }, max.toLocaleString('en')),
    svg('text', { x: pad.left - 6, y: height - pad.bottom, 'text-anchor': 'end' }, '0'),
    svg('polyline', { fill: 'none', stroke: '#0b5cad', 'stroke-width': 2, points: versions.map((v) => `${x(v.version).toFixed(1)},${y(v.entryCount).toFixed(1)}`).join(' ') }));
  return chart;
}

function changeChart(versions) {
  const { chart, x } = frame('Entries added (up, green) and removed (down, red) by each version', 'change-chart', versions);
  const max = Math.max(1, ...versions.map((v) => Math.max(v.added, v.removed)));
  const mid = pad.top + (height - pad.top - pad.bottom) / 2;
  const scale = (n) => (n / max) * ((height - pad.top - pad.bottom) / 2);
  const bar = Math.max(1, Math.min(12, (width - pad.left - pad.right) / versions.length - 1));
  chart.append(
    svg('line', { x1: pad.left, y1: mid, x2: width - pad.right, y2: mid, stroke: '#c9d1d9' }),
    svg('text', { x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end' }, `+${max.toLocaleString('en')}`),
    svg('text', { x: pad.left - 6, y: height - pad.bottom, 'text-anchor': 'end' }, `−${max.toLocaleString('en')}`));
  for (const v of versions) {
    if (v.added > 0) chart.append(svg('rect', { x: (x(v.version) - bar / 2).toFixed(1), y: (mid - scale(v.added)).toFixed(1), width: bar, height: scale(v.added).toFixed(1), fill: '#1e6b35' }));
    if (v.removed > 0) chart.append(svg('rect', { x: (x(v.version) - bar / 2).toFixed(1), y: mid.toFixed(1), width: bar, height: scale(v.removed).toFixed(1), fill: '#a4161a' }));
  }
  return chart;
}

/** The last twelve months, as the report's from/to (yyyy-MM). */
function lastYear() {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const month = (d) => d.toISOString().slice(0, 7);
  return { from: month(start), to: month(now) };
}

function reportChart(list, months) {
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-labelledby': 'report-chart-title', id: 'report-chart' });
  chart.append(svg('title', { id: 'report-chart-title' }, `${list}: entries added (green), removed (red) and expired (grey) per month`));
  const max = Math.max(1, ...months.flatMap((m) => [m.figures.added.total, m.figures.removed.total, m.figures.expired.total]));
  const slot = (width - pad.left - pad.right) / Math.max(1, months.length);
  const bar = Math.max(2, Math.min(24, slot / 4));
  const base = height - pad.bottom;
  const scale = (n) => (n / max) * (height - pad.top - pad.bottom);
  chart.append(
    svg('line', { x1: pad.left, y1: base, x2: width - pad.right, y2: base, stroke: '#4f5863' }),
    svg('text', { x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end' }, max.toLocaleString('en')));
  months.forEach((m, i) => {
    const x = pad.left + i * slot + slot / 2;
    [[m.figures.added.total, '#1e6b35'], [m.figures.removed.total, '#a4161a'], [m.figures.expired.total, '#4f5863']].forEach(([value, fill], k) => {
      if (value > 0) chart.append(svg('rect', { x: (x + (k - 1.5) * bar).toFixed(1), y: (base - scale(value)).toFixed(1), width: bar, height: scale(value).toFixed(1), fill }));
    });
    chart.append(svg('text', { x: x.toFixed(1), y: height - 10, 'text-anchor': 'middle' }, m.month));
  });
  return chart;
}

async function report(list) {
  const { from, to } = lastYear();
  const { data } = await api(`/api/v1/audit/report?from=${from}&to=${to}`);
  const months = data.lists.filter((m) => m.list === list);
  return h('section', { 'aria-labelledby': 'report-heading' },
    h('h2', { id: 'report-heading' }, `Transparency report, ${data.from} to ${data.to}`),
    months.length === 0 ? h('p', {}, `No change to ${list} in these months.`) : reportChart(list, months),
    table(`${list} per month`, ['Month', 'Added', 'Removed', 'Expired', 'Withdrawn', 'Reverted', 'Holds approved', 'Holds rejected', 'Median days listed'],
      months.map((m) => [m.month, String(m.figures.added.total), String(m.figures.removed.total), String(m.figures.expired.total), String(m.figures.withdrawn),
        String(m.figures.reverted), String(m.figures.holdsApproved), String(m.figures.holdsRejected), m.medianListingDays === null ? '—' : String(m.medianListingDays)]),
      { id: 'report-table' }),
    table('Appeals per month', ['Month', 'Received', 'Upheld', 'Dismissed', 'Median hours to decision'],
      data.appeals.map((a) => [a.month, String(a.received), String(a.upheld), String(a.dismissed), a.medianHoursToDecision === null ? '—' : a.medianHoursToDecision.toFixed(1)])));
}

run(async () => {
  const { data } = await api('/api/v1/audit/lists');
  const select = h('select', { id: 'chart-list' }, data.lists.map((list) => h('option', { value: list }, list)));
  const area = h('div', { id: 'charts', 'aria-live': 'polite' });
  const show = async () => {
    area.replaceChildren('Loading…');
    try {
      const { data: page } = await api(`/api/v1/audit/lists/${encodeURIComponent(select.value)}/versions`);
      if (page.versions.length === 0) {
        area.replaceChildren(h('p', {}, `${page.list} has no published version yet.`));
        return;
      }
      area.replaceChildren(
        h('p', {}, `${page.list}: versions ${page.from} to ${page.to} of ${page.currentVersion}.`),
        h('h2', {}, 'List size'), sizeChart(page.versions),
        h('h2', {}, 'Changes per version'), changeChart(page.versions),
        h('details', {}, h('summary', {}, 'The same figures as a table'),
          table(`${page.list} per version`, ['Version', 'Published', 'Entries', 'Added', 'Removed'],
            page.versions.map((v) => [String(v.version), time(v.created), String(v.entryCount), String(v.added), String(v.removed)]))),
        await report(page.list));
    } catch (error) {
      area.replaceChildren(problem(error));
    }
  };
  select.addEventListener('change', show);
  mount(h('div', { class: 'row' }, h('label', {}, 'List', select)), area);
  if (data.lists.length > 0) await show();
});
