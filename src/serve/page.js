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
  groups.forEach((g, k) => {
    // A group's title stays at the top of the levers while its levers scroll under it,
    // so that the role or segment being edited is always named.
    const fs = el('div', { class: 'group', role: 'group', 'aria-labelledby': `group-${k}` },
      el('h3', { class: 'group-title', id: `group-${k}`, text: g.title }));
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
          // The month written above its field, and tied to it: a click on it focuses the field.
          const before = i < l.hires.start ? ' before' : '';
          group.append(el('label', { class: `cell${before}` }, el('span', { text: l.hires.labels[i].replace(/ 20(\d\d)$/, ' ’$1') }), input));
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
  });
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
  // Hires in people, as the report gives them: each trial's total over the horizon.
  const span = d.months.length ? `${d.months[0]}–${d.months[d.months.length - 1]}` : '';
  $('staff-caption').textContent = 'Headcount by role (P50, lines) and expected hires a month (bars)' +
    (d.hires_people ? `; hires ${span}, P50 (P10–P90): ${d.hires_people} in all` : '');
  drawCharts();
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
// Each chart is drawn at the size of its box, in CSS pixels, with the page's font size,
// so that its text reads as the page's on any screen; it is drawn again when its box
// changes size.

const COLORS = ['#1f66b3', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#0e7490', '#be123c'];
const FAN = { band: '#2f7bd0', line: '#0b4f9c', base: '#111', target: '#a8231a' };

/// The box's size and the page's font size, in pixels; `ratio` caps the height at that
/// share of the width.
function size(box, ratio) {
  const w = Math.max(320, Math.round(box.clientWidth));
  let h = Math.round(box.clientHeight) || Math.round(w / 2);
  if (ratio) h = Math.min(h, Math.round(w * ratio));
  const fs = parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
  return { w, h: Math.max(h, Math.round(9 * fs)), fs };
}

/// The legend's items laid out in rows across the top: each item's place and the rows'
/// height. An item is `{ text, swatch }`, `swatch(s, x, y, width)` drawing its key.
function legendLayout(sz, items, left, right) {
  const font = 0.85 * sz.fs, sw = 2.2 * font, rowH = 1.45 * font;
  let x = left, row = 0;
  const placed = items.map((it) => {
    const width = sw + 0.5 * font + it.text.length * 0.6 * font;
    if (x > left && x + width > right) { x = left; row += 1; }
    const at = { ...it, x, y: 0.3 * font + row * rowH + rowH / 2, sw, font };
    x += width + 1.4 * font;
    return at;
  });
  return { placed, height: (row + 1) * rowH + 0.5 * font };
}

/// The axes and legend of a monthly chart up to `yMax`; `whole` for counts (people,
/// opportunities), whose value lines fall on whole numbers only.
function frame(sz, months, yMax, yFmt, label, items, whole = false) {
  const { w, h, fs } = sz;
  const tick = 0.8 * fs;
  const m = { l: 0.75 * tick * Math.max(...[0, yMax / 2, yMax].map((v) => yFmt(v).length)) + 0.9 * fs, r: 1.2 * fs, b: 2.3 * fs };
  const legend = legendLayout(sz, items, m.l, w - m.r);
  m.t = legend.height + 0.4 * fs;
  const s = svg('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': label });
  const n = months.length;
  const x = (i) => m.l + (n <= 1 ? 0 : (i / (n - 1)) * (w - m.l - m.r));
  const y = (v) => h - m.b - (v / yMax) * (h - m.t - m.b);
  const nice = niceStep(yMax / Math.max(2, Math.min(6, Math.floor((h - m.t - m.b) / (2.6 * fs)))));
  const step = whole ? Math.max(1, Math.round(nice)) : nice;
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    s.append(svg('line', { x1: m.l, x2: w - m.r, y1: y(v), y2: y(v), stroke: '#cfcfcf', 'stroke-width': 1 }));
    s.append(svg('text', { x: m.l - 0.4 * fs, y: y(v) + 0.35 * tick, 'text-anchor': 'end', 'font-size': tick }, yFmt(v)));
  }
  // As many month labels as fit side by side.
  const every = Math.max(1, Math.ceil((4.6 * tick) / ((w - m.l - m.r) / Math.max(1, n - 1))));
  months.forEach((mo, i) => {
    if (i % every) return;
    s.append(svg('line', { x1: x(i), x2: x(i), y1: h - m.b, y2: h - m.b + 6, stroke: '#333' }));
    s.append(svg('text', { x: x(i), y: h - m.b + 1.25 * tick + 4, 'text-anchor': 'middle', 'font-size': tick }, mo.replace(/ 20(\d\d)$/, ' ’$1')));
  });
  s.append(svg('line', { x1: m.l, x2: w - m.r, y1: h - m.b, y2: h - m.b, stroke: '#333', 'stroke-width': 2 }));
  for (const it of legend.placed) {
    it.swatch(s, it.x, it.y, it.sw);
    s.append(svg('text', { x: it.x + it.sw + 0.5 * it.font, y: it.y + 0.35 * it.font, 'font-size': it.font }, it.text));
  }
  return { s, x, y, m, w, h, fs };
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
  return svg('polyline', { points: pts.join(' '), fill: 'none', 'stroke-linejoin': 'round', ...attrs });
}

/// A line drawn over a white casing, so that it shows over bands and other lines.
function cased(c, values, color, width, dash) {
  const g = svg('g', {});
  g.append(line(c, values, { stroke: '#fff', 'stroke-width': width + 4, 'stroke-opacity': 0.9 }));
  g.append(line(c, values, { stroke: color, 'stroke-width': width, 'stroke-dasharray': dash || '' }));
  return g;
}

const swatchLine = (color, width, dash) => (s, x, y, sw) =>
  s.append(svg('line', { x1: x, x2: x + sw, y1: y, y2: y, stroke: color, 'stroke-width': width, 'stroke-dasharray': dash || '' }));

// Swatches a font's height tall (the swatch is 2.2 fonts wide).
function swatchFan(s, x, y, sw) {
  const u = sw / 4.4;
  s.append(svg('rect', { x, y: y - u, width: sw, height: 2 * u, fill: FAN.band, 'fill-opacity': 0.22 }));
  s.append(svg('rect', { x, y: y - u / 2, width: sw, height: u, fill: FAN.band, 'fill-opacity': 0.34 }));
  swatchLine(FAN.line, 5)(s, x, y, sw);
}

function swatchBaseline(s, x, y, sw) {
  const u = sw / 4.4;
  for (const dy of [-u, u]) swatchLine(FAN.base, 2, '5 4')(s, x, y + dy, sw);
  swatchLine(FAN.base, 3)(s, x, y, sw);
}

/// The ARR fan: the variant's bands filled; over them the baseline's P10–P90 outlined
/// (dashed), the variant's P50, and on top the baseline's P50, a thinner black line that
/// shows even where the two P50s run together; the target. A legend says which is which.
function fanChart(d, sz) {
  const f = d.fan, b = d.baseline.fan, showBase = !d.baseline.same;
  const target = d.target ? d.target.arr : 0;
  const top = Math.max(...finite(f.p90), ...(showBase ? finite(b.p90) : []), target, 1) * 1.06;
  const items = showBase
    ? [{ text: 'variant: P50, P25–P75, P10–P90', swatch: swatchFan },
      { text: `baseline (${page.baselineName}): P50, P10–P90 dashed`, swatch: swatchBaseline }]
    : [{ text: `P50, P25–P75, P10–P90 (${page.baselineName})`, swatch: swatchFan }];
  if (d.target) items.push({ text: 'target', swatch: swatchLine(FAN.target, 3, '10 6') });
  const c = frame(sz, d.months, top, money, 'ARR fan chart', items);
  if (showBase) c.s.append(band(c, b.p10, b.p90, { fill: '#8a8a8a', 'fill-opacity': 0.16 }));
  c.s.append(band(c, f.p10, f.p90, { fill: FAN.band, 'fill-opacity': 0.22 }));
  c.s.append(band(c, f.p25, f.p75, { fill: FAN.band, 'fill-opacity': 0.34 }));
  if (d.target) {
    const y = c.y(d.target.arr);
    c.s.append(svg('line', { x1: c.m.l, x2: c.w - c.m.r, y1: y, y2: y, stroke: FAN.target, 'stroke-width': 3, 'stroke-dasharray': '12 8' }));
    const tx = c.x(d.target.month);
    c.s.append(svg('line', { x1: tx, x2: tx, y1: c.m.t, y2: c.h - c.m.b, stroke: FAN.target, 'stroke-width': 1.5, 'stroke-dasharray': '4 6' }));
  }
  if (showBase) for (const edge of [b.p10, b.p90]) c.s.append(cased(c, edge, FAN.base, 2, '8 6'));
  c.s.append(cased(c, f.p50, FAN.line, 6));
  if (showBase) c.s.append(line(c, b.p50, { stroke: FAN.base, 'stroke-width': 3 }));
  if (d.target) {
    const y = c.y(d.target.arr), tx = c.x(d.target.month);
    c.s.append(svg('text', { x: tx - 0.5 * c.fs, y: y - 0.5 * c.fs, 'text-anchor': 'end', 'font-size': 0.9 * c.fs, fill: FAN.target, 'font-weight': 700, class: 'halo' },
      `Target ${money(d.target.arr)} by ${d.target.label}`));
  }
  return c.s;
}

function staffChart(d, sz) {
  const n = d.months.length;
  const roles = d.roles;
  const stacked = Array.from({ length: n }, (_, t) => roles.reduce((a, r) => a + (Number.isFinite(r.hires[t]) ? r.hires[t] : 0), 0));
  const top = Math.max(...roles.flatMap((r) => finite(r.headcount)), ...stacked, 1) * 1.1;
  const c = frame(sz, d.months, top, (v) => String(Math.round(v * 10) / 10), 'Headcount and hires by role',
    roles.map((r, k) => ({ text: r.hires_people ? `${r.name}: hires ${r.hires_people}` : r.name, swatch: swatchLine(COLORS[k % COLORS.length], 5) })), true);
  const bw = Math.max(3, ((c.w - c.m.l - c.m.r) / Math.max(n, 1)) * 0.6);
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
  return c.s;
}

function capacityChart(d, sz) {
  const cap = d.capacity;
  const top = Math.max(...finite(cap.demand), ...finite(cap.worked), 1) * 1.1;
  const c = frame(sz, d.months, top, (v) => count(v), 'Capacity and demand',
    [{ text: 'demanded', swatch: swatchLine('#555', 4, '10 7') }, { text: 'worked', swatch: swatchLine('#1f66b3', 4) },
      { text: 'lost', swatch: swatchLine('#a8231a', 10) }], true);
  const n = d.months.length;
  const bw = Math.max(3, ((c.w - c.m.l - c.m.r) / Math.max(n, 1)) * 0.6);
  cap.lost.forEach((v, t) => {
    if (!(v > 0)) return;
    c.s.append(svg('rect', { x: c.x(t) - bw / 2, y: c.y(v), width: bw, height: c.y(0) - c.y(v), fill: '#a8231a', 'fill-opacity': 0.7 }));
  });
  c.s.append(line(c, cap.demand, { stroke: '#555', 'stroke-width': 4, 'stroke-dasharray': '10 7' }));
  c.s.append(line(c, cap.worked, { stroke: '#1f66b3', 'stroke-width': 4 }));
  return c.s;
}

/// The charts, each at its box's size; the fan no taller than 0.62 of its width.
const CHARTS = [['fan-chart', fanChart, 0.62], ['staff-chart', staffChart], ['capacity-chart', capacityChart]];

function drawCharts() {
  if (!page.last) return;
  for (const [id, make, ratio] of CHARTS) {
    const box = $(id);
    const sz = size(box, ratio);
    box.dataset.drawn = `${sz.w}x${sz.h}@${sz.fs}`;
    box.replaceChildren(make(page.last.data, sz));
  }
}

/// Draws the charts again when a box changes size (a window resized, the answer longer).
function redrawOnResize() {
  let queued = false;
  const observer = new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const stale = CHARTS.some(([id, , ratio]) => {
        const sz = size($(id), ratio);
        return $(id).dataset.drawn !== `${sz.w}x${sz.h}@${sz.fs}`;
      });
      if (stale) drawCharts();
    });
  });
  for (const [id] of CHARTS) observer.observe($(id));
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
  redrawOnResize();
  refresh();
}

start();
