// The workshop page: levers -> `key.path=value` overrides -> /api/run (a quick answer,
// then the full one) -> the answer, the paired difference to the baseline and the charts.
// Plain ES2020, no framework; every number comes from the server.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const page = {
  scenario: null,
  levers: [],          // { key, label, text, hires, input, cells, hint, error }
  edits: new Map(),    // key -> { text, counts }
  baseline: [],        // overrides of the baseline
  baselineName: 'the file',
  session: Math.random().toString(36).slice(2) + Date.now().toString(36),
  generation: 0,
  controller: null,
  last: null,          // the last good answer
  variants: [],
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function money(v) {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v), sign = v < 0 ? '-' : '';
  const [s, u] = a >= 1e9 ? [a / 1e9, 'B'] : a >= 1e6 ? [a / 1e6, 'M'] : a >= 1e3 ? [a / 1e3, 'K'] : [a, ''];
  if (!u) return `${sign}$${a.toFixed(0)}`;
  const t = s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2);
  return `${sign}$${t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t}${u}`;
}
const pct1 = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
const count = (v) => Math.round(v).toLocaleString('en-US');

async function post(path, body, signal) {
  return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal });
}

// ---- levers -------------------------------------------------------------------------

function hiresText(lever, counts) {
  const parts = [];
  counts.forEach((n, i) => { if (n > 0) parts.push(`"${lever.hires.months[i]}" = ${n}`); });
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

function buildLevers(groups) {
  const root = $('levers');
  root.replaceChildren();
  let n = 0;
  for (const g of groups) {
    const fs = el('fieldset', {}, el('legend', { text: g.title }));
    for (const l of g.levers) {
      const id = `lever-${n++}`;
      const lever = { ...l };
      const box = el('div', { class: 'lever' });
      lever.hint = el('p', { class: 'hint', id: `${id}-hint`, text: l.hint });
      lever.error = el('pre', { class: 'error', id: `${id}-error`, hidden: '' });
      if (l.hires) {
        const group = el('div', { class: 'hires', role: 'group', 'aria-labelledby': `${id}-label` });
        lever.cells = l.hires.counts.map((c, i) => {
          const input = el('input', {
            type: 'number', min: '0', step: '1', value: String(c), 'data-key': l.key, 'data-month': l.hires.months[i],
            'aria-label': `${l.label}, ${l.hires.labels[i]}`, 'aria-describedby': `${id}-hint ${id}-error`,
          });
          input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); applyHires(lever); } });
          input.addEventListener('change', () => applyHires(lever));
          const before = i < l.hires.start ? ' before' : '';
          group.append(el('div', { class: `cell${before}` }, el('span', { text: l.hires.labels[i].replace(/ 20(\d\d)$/, ' ’$1') }), input));
          return input;
        });
        box.append(el('span', { id: `${id}-label`, class: 'label', text: l.label }), group);
      } else {
        lever.input = el('input', {
          type: 'text', id, value: l.text, placeholder: l.text, 'data-key': l.key, autocomplete: 'off', spellcheck: 'false',
          'aria-describedby': `${id}-hint ${id}-error`,
        });
        lever.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); applyText(lever); } });
        lever.input.addEventListener('change', () => applyText(lever));
        box.append(el('label', { for: id, text: `${l.label}` }), lever.input);
      }
      box.append(lever.hint, lever.error);
      fs.append(box);
      page.levers.push(lever);
    }
    root.append(fs);
  }
}

/// A rate typed as a percentage, `25%` or `{ low = 17%, high = 26% }`, as the file
/// writes it: 0.25, { low = 0.17, high = 0.26 }.
function fromPercent(text) {
  return text.replace(/(^|[^\w.])(\d+(?:\.\d+)?)\s*%/g,
    (_, before, n) => `${before}${Number((Number(n) / 100).toPrecision(12))}`);
}

function applyText(lever) {
  const text = lever.percent ? fromPercent(lever.input.value.trim()) : lever.input.value.trim();
  if (text !== lever.input.value.trim()) lever.input.value = text;
  const before = page.edits.get(lever.key);
  if (text === '' || text === lever.text) {
    // Empty is the file's value (shown as the placeholder).
    page.edits.delete(lever.key);
  } else {
    page.edits.set(lever.key, { text });
  }
  lever.input.classList.toggle('changed', page.edits.has(lever.key));
  const after = page.edits.get(lever.key);
  if ((before && before.text) !== (after && after.text)) refresh();
}

function applyHires(lever) {
  const counts = lever.cells.map((c) => {
    const v = Number(c.value);
    return Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
  });
  lever.cells.forEach((c, i) => { c.value = String(counts[i]); });
  const same = counts.every((c, i) => c === lever.hires.counts[i]);
  const before = page.edits.get(lever.key);
  if (same) page.edits.delete(lever.key); else page.edits.set(lever.key, { text: hiresText(lever, counts), counts });
  lever.cells.forEach((c, i) => c.classList.toggle('changed', counts[i] !== lever.hires.counts[i]));
  const after = page.edits.get(lever.key);
  if ((before && before.text) !== (after && after.text)) refresh();
}

/// The overrides of the levers changed, in the page's order.
function overrides() {
  return page.levers.filter((l) => page.edits.has(l.key)).map((l) => `${l.key}=${page.edits.get(l.key).text}`);
}

function showEdits(edits) {
  page.edits = new Map([...edits].map(([k, v]) => [k, { ...v }]));
  for (const l of page.levers) {
    const e = page.edits.get(l.key);
    if (l.input) {
      l.input.value = e ? e.text : l.text;
      l.input.classList.toggle('changed', Boolean(e));
    } else {
      const counts = e ? e.counts : l.hires.counts;
      l.cells.forEach((c, i) => { c.value = String(counts[i]); c.classList.toggle('changed', counts[i] !== l.hires.counts[i]); });
    }
  }
}

function clearErrors() {
  for (const l of page.levers) {
    l.error.hidden = true;
    l.error.textContent = '';
    for (const i of l.cells || [l.input]) i.removeAttribute('aria-invalid');
  }
  $('general-error').hidden = true;
}

function showErrors(data, sent) {
  clearErrors();
  const message = data.error || 'the request failed';
  const keys = (data.which === 'variant' ? (data.overrides || []) : []).map((i) => (sent[i] || '').split('=')[0].trim());
  const levers = page.levers.filter((l) => keys.includes(l.key));
  if (levers.length === 0) {
    $('general-error').textContent = (data.which === 'baseline' ? 'The baseline no longer loads:\n' : '') + message;
    $('general-error').hidden = false;
    return;
  }
  for (const l of levers) {
    l.error.textContent = message;
    l.error.hidden = false;
    for (const i of l.cells || [l.input]) i.setAttribute('aria-invalid', 'true');
  }
}

// ---- runs ---------------------------------------------------------------------------

function status(kind, text) {
  $('status').replaceChildren(el('span', { class: `badge ${kind}`, text }));
  $('status').dataset.kind = kind;
}

async function refresh() {
  const generation = ++page.generation;
  if (page.controller) page.controller.abort();
  const controller = new AbortController();
  page.controller = controller;
  const sent = overrides();
  const body = { overrides: sent, baseline: page.baseline, session: page.session, generation };
  status('running', 'running a quick estimate…');
  for (const quick of [true, false]) {
    let res, data;
    try {
      res = await post('/api/run', { ...body, quick }, controller.signal);
      data = await res.json();
    } catch (e) {
      if (e.name !== 'AbortError' && generation === page.generation) status('failed', `no answer from the server: ${e.message}`);
      return;
    }
    if (generation !== page.generation || res.status === 409) return;
    if (!res.ok) {
      showErrors(data, sent);
      status('failed', 'not run: see the message by the lever; the last good result stays on screen');
      return;
    }
    clearErrors();
    render(data, sent);
    if (!data.quick) return;
  }
}

function showWarnings(text) {
  $('warnings').textContent = text || '';
  $('warnings').hidden = !text;
}

function render(d, sent) {
  page.last = { data: d, overrides: sent };
  showWarnings(d.warnings);
  $('kicker').textContent = `${d.name} · ${page.scenario.file} · seed ${d.seed}`;
  const answer = $('answer');
  answer.textContent = d.answer;
  answer.dataset.pHit = d.p_hit === null ? '' : String(d.p_hit);
  answer.dataset.trials = String(d.trials);
  const verdict = $('verdict');
  verdict.textContent = d.verdict;
  verdict.className = `verdict ${d.verdict.includes('meets') ? 'meets' : d.verdict ? 'below' : ''}`;
  // An answer kept from an earlier run of the same edits took no time to compute.
  const ms = d.kept ? 'kept from an earlier run' : `${Math.round(d.elapsed_ms)} ms`;
  if (d.quick) status('quick', `quick estimate, ${count(d.trials)} trials (${ms}); refining to ${count(d.full_trials)}…`);
  else status('full', `full, ${count(d.trials)} trials (${ms})`);
  for (const l of page.levers) if (d.hints[l.key] !== undefined) l.hint.textContent = d.hints[l.key];
  renderCompare(d);
  $('fan-chart').replaceChildren(fanChart(d));
  $('staff-chart').replaceChildren(staffChart(d));
  $('capacity-chart').replaceChildren(capacityChart(d));
}

function renderCompare(d) {
  const box = $('compare');
  const b = d.baseline;
  box.dataset.same = String(b.same);
  box.dataset.diff = d.paired.p_hit === null ? '' : String(d.paired.p_hit);
  box.dataset.se = d.paired.p_hit_se === null ? '' : String(d.paired.p_hit_se);
  if (d.p_hit === null) {
    box.replaceChildren(el('p', { text: 'No ARR target in this scenario: no P(hit) to compare.' }));
    return;
  }
  if (b.same) {
    box.replaceChildren(
      el('p', { class: 'big', text: `Baseline (${page.baselineName}): P(hit) ${pct1(d.p_hit)} ± ${pct1(d.p_hit_se)}` }),
      el('p', { text: 'Change a lever to try a variant against it, on the same trials.' }),
    );
    return;
  }
  const points = d.paired.p_hit * 100;
  const sign = points > 0 ? '+' : points < 0 ? '−' : '±';
  const dir = points > 0 ? 'up' : points < 0 ? 'down' : '';
  box.replaceChildren(
    el('p', { class: 'big' },
      `P(hit) ${pct1(b.p_hit)} → ${pct1(d.p_hit)}: `,
      el('span', { class: dir, id: 'diff', text: `${sign}${Math.abs(points).toFixed(1)} points ± ${(d.paired.p_hit_se * 100).toFixed(1)}` })),
    el('p', { text: `Variant against the baseline (${page.baselineName}), paired on the same ${count(d.trials)} trials, seed ${d.seed}: ` +
      `mean ARR in the target month ${d.paired.arr_mean >= 0 ? '+' : '−'}${money(Math.abs(d.paired.arr_mean))} ± ${money(d.paired.arr_se)}.` }),
  );
}

// ---- charts -------------------------------------------------------------------------

const W = 960, H = 430, M = { l: 96, r: 24, t: 18, b: 56 };
const COLORS = ['#1f66b3', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#0e7490', '#be123c'];

function frame(months, yMax, yFmt, label) {
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  const n = months.length;
  const x = (i) => M.l + (n <= 1 ? 0 : (i / (n - 1)) * (W - M.l - M.r));
  const y = (v) => H - M.b - (v / yMax) * (H - M.t - M.b);
  const step = niceStep(yMax / 5);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    s.append(svg('line', { x1: M.l, x2: W - M.r, y1: y(v), y2: y(v), stroke: '#d0d0d0', 'stroke-width': 1 }));
    s.append(svg('text', { x: M.l - 10, y: y(v) + 7, 'text-anchor': 'end', 'font-size': 19 }, yFmt(v)));
  }
  const every = Math.max(1, Math.ceil(n / 8));
  months.forEach((m, i) => {
    if (i % every) return;
    s.append(svg('line', { x1: x(i), x2: x(i), y1: H - M.b, y2: H - M.b + 6, stroke: '#333' }));
    s.append(svg('text', { x: x(i), y: H - M.b + 28, 'text-anchor': 'middle', 'font-size': 19 }, m.replace(/ 20(\d\d)$/, ' ’$1')));
  });
  s.append(svg('line', { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, stroke: '#333', 'stroke-width': 2 }));
  return { s, x, y };
}

function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

const finite = (a) => a.filter(Number.isFinite);

function band(c, lo, hi, attrs) {
  const pts = [];
  lo.forEach((v, i) => { if (Number.isFinite(v) && Number.isFinite(hi[i])) pts.push(`${c.x(i)},${c.y(hi[i])}`); });
  for (let i = lo.length - 1; i >= 0; i--) if (Number.isFinite(lo[i]) && Number.isFinite(hi[i])) pts.push(`${c.x(i)},${c.y(lo[i])}`);
  return svg('polygon', { points: pts.join(' '), ...attrs });
}

function line(c, values, attrs) {
  const pts = values.map((v, i) => (Number.isFinite(v) ? `${c.x(i)},${c.y(v)}` : null)).filter(Boolean);
  return svg('polyline', { points: pts.join(' '), fill: 'none', ...attrs });
}

function legend(s, items) {
  let x = M.l + 10;
  for (const [text, color, dash] of items) {
    s.append(svg('line', { x1: x, x2: x + 34, y1: M.t + 14, y2: M.t + 14, stroke: color, 'stroke-width': 5, 'stroke-dasharray': dash || '' }));
    s.append(svg('text', { x: x + 42, y: M.t + 21, 'font-size': 19 }, text));
    x += 60 + text.length * 11;
  }
}

function fanChart(d) {
  const f = d.fan, b = d.baseline.fan, showBase = !d.baseline.same;
  const target = d.target ? d.target.arr : 0;
  const top = Math.max(...finite(f.p90), ...(showBase ? finite(b.p90) : []), target, 1) * 1.08;
  const c = frame(d.months, top, money, 'ARR fan chart');
  if (showBase) {
    c.s.append(band(c, b.p10, b.p90, { fill: '#9a9a9a', 'fill-opacity': 0.28 }));
    c.s.append(band(c, b.p25, b.p75, { fill: '#7a7a7a', 'fill-opacity': 0.3 }));
    c.s.append(line(c, b.p50, { stroke: '#555', 'stroke-width': 3, 'stroke-dasharray': '10 7' }));
  }
  c.s.append(band(c, f.p10, f.p90, { fill: '#1f66b3', 'fill-opacity': 0.22 }));
  c.s.append(band(c, f.p25, f.p75, { fill: '#1f66b3', 'fill-opacity': 0.32 }));
  c.s.append(line(c, f.p50, { stroke: '#123f6b', 'stroke-width': 4 }));
  if (d.target) {
    const y = c.y(d.target.arr);
    c.s.append(svg('line', { x1: M.l, x2: W - M.r, y1: y, y2: y, stroke: '#a8231a', 'stroke-width': 3, 'stroke-dasharray': '12 8' }));
    const tx = c.x(d.target.month);
    c.s.append(svg('line', { x1: tx, x2: tx, y1: M.t + 30, y2: H - M.b, stroke: '#a8231a', 'stroke-width': 1.5, 'stroke-dasharray': '4 6' }));
    c.s.append(svg('text', { x: tx - 8, y: y - 10, 'text-anchor': 'end', 'font-size': 20, fill: '#a8231a', 'font-weight': 700 },
      `Target ${money(d.target.arr)} by ${d.target.label}`));
  }
  const items = [['variant P50, P25–P75, P10–P90', '#123f6b']];
  if (showBase) items.push([`baseline (${page.baselineName})`, '#555', '10 7']);
  legend(c.s, items);
  return c.s;
}

function staffChart(d) {
  const n = d.months.length;
  const roles = d.roles;
  const stacked = Array.from({ length: n }, (_, t) => roles.reduce((a, r) => a + (Number.isFinite(r.hires[t]) ? r.hires[t] : 0), 0));
  const top = Math.max(...roles.flatMap((r) => finite(r.headcount)), ...stacked, 1) * 1.12;
  const c = frame(d.months, top, (v) => String(Math.round(v * 10) / 10), 'Headcount and hires by role');
  const bw = Math.max(3, ((W - M.l - M.r) / Math.max(n, 1)) * 0.6);
  for (let t = 0; t < n; t++) {
    let base = 0;
    roles.forEach((r, k) => {
      const h = Number.isFinite(r.hires[t]) ? r.hires[t] : 0;
      if (h <= 0) return;
      c.s.append(svg('rect', { x: c.x(t) - bw / 2, y: c.y(base + h), width: bw, height: c.y(base) - c.y(base + h), fill: COLORS[k % COLORS.length], 'fill-opacity': 0.45 }));
      base += h;
    });
  }
  roles.forEach((r, k) => c.s.append(line(c, r.headcount, { stroke: COLORS[k % COLORS.length], 'stroke-width': 4 })));
  legend(c.s, roles.map((r, k) => [r.id, COLORS[k % COLORS.length]]));
  return c.s;
}

function capacityChart(d) {
  const cap = d.capacity;
  const top = Math.max(...finite(cap.demand), ...finite(cap.worked), 1) * 1.12;
  const c = frame(d.months, top, (v) => count(v), 'Capacity and demand');
  const n = d.months.length;
  const bw = Math.max(3, ((W - M.l - M.r) / Math.max(n, 1)) * 0.6);
  cap.lost.forEach((v, t) => {
    if (!(v > 0)) return;
    c.s.append(svg('rect', { x: c.x(t) - bw / 2, y: c.y(v), width: bw, height: c.y(0) - c.y(v), fill: '#a8231a', 'fill-opacity': 0.7 }));
  });
  c.s.append(line(c, cap.demand, { stroke: '#555', 'stroke-width': 4, 'stroke-dasharray': '10 7' }));
  c.s.append(line(c, cap.worked, { stroke: '#1f66b3', 'stroke-width': 4 }));
  legend(c.s, [['demanded', '#555', '10 7'], ['worked', '#1f66b3'], ['lost', '#a8231a']]);
  return c.s;
}

// ---- baseline, variants, downloads --------------------------------------------------

function note(text) { $('action-note').textContent = text; }

function download(name, type, body) {
  const a = el('a', { href: URL.createObjectURL(new Blob([body], { type })), download: name, text: `Download ${name}` });
  return a;
}

async function saveVariant() {
  const name = $('variant-name').value.trim() || `variant ${page.variants.length + 1}`;
  const sent = overrides();
  let res, data;
  try {
    res = await post('/api/variant', { overrides: sent, name });
    data = await res.json();
  } catch (e) { note(`could not save: ${e.message}`); return; }
  if (!res.ok) { showErrors(data, sent); note('not saved: see the message by the lever'); return; }
  const last = page.last && page.last.overrides.join('\n') === sent.join('\n') ? page.last.data : null;
  const v = { name, overrides: sent, edits: new Map([...page.edits].map(([k, e]) => [k, { ...e }])), ...data,
    p_hit: last ? last.p_hit : null, trials: last ? last.trials : null };
  page.variants.push(v);
  renderVariants();
  showVariant(v);
  note(`saved “${name}”: ${data.diff.length} ${data.diff.length === 1 ? 'key differs' : 'keys differ'} from the file`);
}

function renderVariants() {
  const list = $('variants');
  list.replaceChildren();
  $('no-variants').hidden = page.variants.length > 0;
  page.variants.forEach((v, i) => {
    const ph = v.p_hit === null ? '' : ` · P(hit) ${pct1(v.p_hit)} on ${count(v.trials)} trials`;
    const load = el('button', { type: 'button', class: 'secondary', text: 'Load' });
    load.addEventListener('click', () => { showEdits(v.edits); refresh(); showVariant(v); });
    const show = el('button', { type: 'button', class: 'secondary', text: 'Show' });
    show.addEventListener('click', () => showVariant(v));
    list.append(el('li', { 'data-index': String(i) },
      el('strong', { text: v.name }), `${ph} · ${v.diff.length} ${v.diff.length === 1 ? 'key' : 'keys'} changed`,
      el('span', { class: 'buttons' }, load, show, download(v.filename, 'application/toml', v.toml))));
  });
}

function showVariant(v) {
  const table = el('table', { class: 'diff' },
    el('thead', {}, el('tr', {}, el('th', { text: 'Key' }), el('th', { text: 'In the file' }), el('th', { text: `In “${v.name}”` }))));
  const body = el('tbody');
  for (const row of v.diff) {
    body.append(el('tr', {}, el('td', { text: row.key }), el('td', { text: row.file ?? '(not set)' }), el('td', { text: row.variant ?? '(not set)' })));
  }
  table.append(body);
  $('variant-detail').replaceChildren(
    el('h3', { text: `“${v.name}” against the file` }),
    v.diff.length ? table : el('p', { text: 'Same keys and values as the file.' }),
    el('pre', { class: 'toml', id: 'variant-toml', tabindex: '0', 'aria-label': `${v.filename}` , text: v.toml }),
  );
}

async function downloadReport() {
  note('making report.html from the full run…');
  const sent = overrides();
  let res;
  try { res = await post('/api/report', { overrides: sent }); } catch (e) { note(`no report: ${e.message}`); return; }
  if (!res.ok) { const data = await res.json(); showErrors(data, sent); note('no report: see the message by the lever'); return; }
  const a = download('report.html', 'text/html', await res.blob());
  $('action-note').replaceChildren('report.html is ready: ', a);
  a.focus();
  a.click();
}

function keepBaseline() {
  page.baseline = overrides();
  page.baselineName = page.baseline.length ? ($('variant-name').value.trim() || 'kept variant') : 'the file';
  note(`baseline is now ${page.baselineName}`);
  refresh();
}

async function start() {
  let res;
  try { res = await fetch('/api/scenario'); page.scenario = await res.json(); } catch (e) {
    $('answer').textContent = `The server does not answer: ${e.message}`;
    return;
  }
  document.title = `${page.scenario.name} — sopsim workshop`;
  buildLevers(page.scenario.groups);
  showWarnings(page.scenario.warnings);
  $('reset').addEventListener('click', () => { showEdits(new Map()); refresh(); });
  $('keep').addEventListener('click', keepBaseline);
  $('save').addEventListener('click', saveVariant);
  $('variant-name').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); saveVariant(); } });
  $('report').addEventListener('click', downloadReport);
  refresh();
}

start();
