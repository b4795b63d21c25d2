/* The report's views, built from the JSON embedded in report.html, one screenful at a time.
   Everything that came from the site is inserted as text (textContent / createTextNode), never as markup. */
(async () => {
  'use strict';
  /* The data is gzip-compressed JSON in base64: a 2,000-page run opens from a few megabytes instead of tens. */
  async function inflate(base64) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return JSON.parse(await new Response(stream).text());
  }
  let D;
  try {
    D = await inflate(document.getElementById('qa-data').textContent);
    performance.mark('qa-data');
  } catch (error) {
    // Only a browser without DecompressionStream (before 2023) gets here; the overview is still readable.
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = document.getElementById('qa-data').dataset.unreadable;
    document.getElementById('view-overview').prepend(note);
    throw error;
  }
  const S = D.s;
  const M = D.m;
  const PAGE_SIZE = 50;
  const MATRIX_ROWS = 20;
  // Column positions of the packed rows; qa/report/html.py writes them in this order.
  const U = { url: 0, title: 1, template: 2, postType: 3 };
  const V = { url: 0, cell: 1, status: 2, error: 3, shot: 4, w: 5, h: 6, full: 7, loadMs: 8, images: 9, js: 10, failed: 11 };
  const F = { rule: 0, outcome: 1, sc: 2, impact: 3, url: 4, cell: 5, target: 6, html: 7, msg: 8, box: 9, seen: 10,
    check: 11, id: 12, isNew: 13, accepted: 14 };
  const R = { rule: 0, help: 1, helpUrl: 2 };
  const C = { sc: 0, title: 1, level: 2, verdict: 3, violations: 4, review: 5, pagesFailing: 6 };
  const L = { result: 0, status: 1, url: 2, source: 3, text: 4, reason: 5 };
  const IMPACTS = ['critical', 'serious', 'moderate', 'minor', ''];
  const VIOLATION = 0;

  const str = (i) => (i < 0 ? '' : S[i]);
  // Element HTML, the bulk of a large run, in chunks of D.chunk pages: a page view reads only its own chunk.
  const chunks = document.getElementById('qa-snippets').textContent.split(',');
  const snippets = new Map();
  const loadSnippets = async (u) => {
    const k = Math.floor(u / D.chunk);
    if (!snippets.has(k) && chunks[k]) snippets.set(k, await inflate(chunks[k]));
  };
  const snippet = (f) => (f[F.html] < 0 ? '' : (snippets.get(Math.floor(f[F.url] / D.chunk)) || [])[f[F.html]] ?? '');
  const t = (key, ...args) => (M[key] ?? key).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));
  const numberFormat = new Intl.NumberFormat(D.lang);
  const num = (x) => numberFormat.format(x);
  // Only web addresses become links: a javascript: or data: URL from the site must never be clickable.
  const safeHref = (u) => (/^https?:\/\//i.test(u) ? u : null);
  const norm = (sel) => sel.replace(/:nth-(child|of-type)\(\d+\)/g, '').replace(/\s+/g, ' ').trim();

  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  const link = (href, ...kids) => h('a', { href }, ...kids);
  const put = (el, ...kids) => el.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
  const cellName = (c) => D.cells[c] ?? '';
  const urlText = (u) => str(D.urls[u][U.url]);
  const urlTitle = (u) => str(D.urls[u][U.title]) || urlText(u);
  const pageHref = (u, c) => `#page/${u}` + (c === undefined ? '' : `/${c}`);
  const ruleHref = (r) => `#rule/${encodeURIComponent(r)}`;
  const scHref = (sc) => `#sc/${encodeURIComponent(sc)}`;
  const scList = (f) => (f[F.sc] < 0 ? [] : str(f[F.sc]).split(', '));

  // ---- indexes, built once on first use (a single pass over the findings) ----
  let IX = null;
  function ix() {
    if (IX) return IX;
    const nUrls = D.urls.length;
    const byUrl = Array.from({ length: nUrls }, () => []);
    const visitsByUrl = Array.from({ length: nUrls }, () => []);
    const violations = new Int32Array(nUrls);
    const review = new Int32Array(nUrls);
    const byRule = new Map();
    const bySc = new Map();
    D.f.forEach((f, i) => {
      byUrl[f[F.url]].push(i);
      if (f[F.outcome] === VIOLATION) violations[f[F.url]]++;
      else review[f[F.url]]++;
      const rule = str(f[F.rule]);
      if (!byRule.has(rule)) byRule.set(rule, []);
      byRule.get(rule).push(i);
      for (const sc of scList(f)) {
        if (!bySc.has(sc)) bySc.set(sc, []);
        bySc.get(sc).push(i);
      }
    });
    const notAudited = new Uint8Array(nUrls);
    D.v.forEach((v, i) => {
      visitsByUrl[v[V.url]].push(i);
      if (v[V.error] >= 0) notAudited[v[V.url]] = 1;
    });
    const rules = new Map(D.rules.map((r) => [str(r[R.rule]), r]));
    const criteria = new Map(D.criteria.map((c) => [c[C.sc], c]));
    const urlPos = new Map(D.urls.map((u, i) => [str(u[U.url]), i]));
    IX = { byUrl, visitsByUrl, violations, review, notAudited, byRule, bySc, rules, criteria, urlPos };
    return IX;
  }

  const pagesOf = (findings) => new Set(findings.map((i) => D.f[i][F.url])).size;
  const countOutcome = (findings, outcome) => findings.reduce((n, i) => n + (D.f[i][F.outcome] === outcome ? 1 : 0), 0);

  // ---- small shared widgets ----
  function badge(kind, text) {
    return h('span', { class: `badge badge-${kind}` }, text);
  }
  function outcomeBadge(f) {
    return f[F.outcome] === VIOLATION ? badge('fail', t('outcome_violation')) : badge('review', t('outcome_needs-review'));
  }
  function field(id, label, control) {
    return h('div', { class: 'field' }, h('label', { for: id }, label), control);
  }
  function select(id, options, value, onchange) {
    return h('select', { id, onchange: (e) => onchange(e.target.value) },
      options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value) }, label)));
  }
  function searchBox(id, hint, value, oninput) {
    let timer = 0;
    return h('input', { id, type: 'search', value, placeholder: hint, autocomplete: 'off',
      oninput: (e) => { clearTimeout(timer); timer = setTimeout(() => oninput(e.target.value), 150); } });
  }
  function table(caption, headers, rows, cls) {
    return h('table', { class: cls || 'data' },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows));
  }

  /* A list shown one page at a time: filters call refresh(), the pager moves st.page. */
  function paged(container, st, size, items, renderItems) {
    const total = items.length;
    const pages = Math.max(1, Math.ceil(total / size));
    st.page = Math.min(st.page, pages - 1);
    const from = st.page * size;
    const shown = items.slice(from, from + size);
    const status = h('p', { class: 'showing', role: 'status' },
      total ? t('showing', num(from + 1), num(from + shown.length), num(total)) : t('showing_none'));
    const go = (delta) => () => {
      st.page += delta;
      paged(container, st, size, items, renderItems);
      container.querySelector('.showing').focus();
    };
    status.tabIndex = -1;
    const nav = total > size ? h('nav', { class: 'pager', 'aria-label': t('pagination') },
      h('button', { type: 'button', onclick: go(-1), disabled: st.page === 0 }, t('prev')),
      h('span', {}, `${st.page + 1} / ${pages}`),
      h('button', { type: 'button', onclick: go(1), disabled: st.page >= pages - 1 }, t('next'))) : null;
    put(container, status, shown.length ? renderItems(shown) : null, nav);
  }

  const state = {
    pages: { q: '', show: 'all', cell: '-1', sort: 'order', page: 0 },
    rules: { q: '', group: 'rule', outcome: 'all', sort: 'pages', page: 0 },
    links: { q: '', result: 'all', page: 0 },
    matrix: { q: '', show: 'all', page: 0 },
    review: { q: '', page: 0 },
    detail: { page: 0 },
  };

  // ---- view: pages ----
  function viewPages(body) {
    const st = state.pages;
    const I = ix();
    const results = h('div', { class: 'results' });
    const refresh = () => {
      const q = st.q.toLowerCase();
      const cell = Number(st.cell);
      let items = [];
      for (let u = 0; u < D.urls.length; u++) {
        if (q && !urlText(u).toLowerCase().includes(q) && !urlTitle(u).toLowerCase().includes(q)) continue;
        if (st.show === 'violations' && !I.violations[u]) continue;
        if (st.show === 'review' && !I.review[u]) continue;
        if (st.show === 'not-audited' && !I.notAudited[u]) continue;
        if (st.show === 'clean' && (I.violations[u] || I.review[u] || I.notAudited[u])) continue;
        if (cell >= 0 && !I.visitsByUrl[u].some((v) => D.v[v][V.cell] === cell)) continue;
        items.push(u);
      }
      if (st.sort === 'violations') items.sort((a, b) => I.violations[b] - I.violations[a] || I.review[b] - I.review[a] || a - b);
      else if (st.sort === 'url') items.sort((a, b) => (urlText(a) < urlText(b) ? -1 : 1));
      paged(results, st, PAGE_SIZE, items, (shown) => table(null,
        [t('col_page'), t('col_status'), t('col_violations'), t('col_review'), t('col_cells')],
        shown.map((u) => {
          const visits = I.visitsByUrl[u];
          const first = D.v[visits[0]];
          const error = visits.map((v) => D.v[v][V.error]).find((e) => e >= 0);
          return h('tr', {},
            h('td', {}, link(pageHref(u), urlTitle(u)), h('br'), h('span', { class: 'url' }, urlText(u)),
              error !== undefined ? h('p', { class: 'error' }, t('not_audited', str(error))) : null),
            h('td', { class: 'num' }, first && first[V.status] ? first[V.status] : '—'),
            h('td', { class: 'num' }, num(I.violations[u])),
            h('td', { class: 'num' }, num(I.review[u])),
            h('td', { class: 'num' }, num(visits.length)));
        })));
    };
    const reset = (key) => (value) => { st[key] = value; st.page = 0; refresh(); };
    put(body,
      h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field('pages-q', t('search'), searchBox('pages-q', t('search_pages_hint'), st.q, reset('q'))),
        field('pages-show', t('filter_outcome'), select('pages-show', [['all', t('filter_all')],
          ['violations', t('filter_with_violations')], ['review', t('filter_with_review')],
          ['not-audited', t('filter_not_audited')], ['clean', t('filter_clean')]], st.show, reset('show'))),
        D.cells.length > 1 ? field('pages-cell', t('filter_cell'), select('pages-cell',
          [['-1', t('filter_all_cells')], ...D.cells.map((c, i) => [String(i), c])], st.cell, reset('cell'))) : null,
        field('pages-sort', t('sort'), select('pages-sort', [['order', t('sort_order')],
          ['violations', t('sort_violations')], ['url', t('sort_url')]], st.sort, reset('sort')))),
      results);
    refresh();
  }

  // ---- view: one page in one cell, with its screenshot and the failing elements outlined ----
  function findingItem(i, number, cell, outlined) {
    const f = D.f[i];
    const rule = str(f[F.rule]);
    const info = ix().rules.get(rule);
    const help = info ? safeHref(str(info[R.helpUrl])) : null;
    let where = null;
    if (!f[F.box]) where = t('no_outline');
    else if (f[F.cell] !== cell) where = t('outline_other_cell', cellName(f[F.cell]));
    else if (!outlined) where = t('outline_outside');
    return h('li', { class: 'finding', id: `finding-${number}`, 'data-finding': number },
      h('h4', {},
        h('span', { class: 'marker', 'aria-hidden': 'true' }, number), ' ',
        link(ruleHref(rule), rule), ' ', outcomeBadge(f),
        f[F.impact] < 4 ? [' ', badge('impact', t(`impact_${IMPACTS[f[F.impact]]}`))] : null,
        f[F.isNew] ? [' ', badge('new', t('new_badge'))] : null,
        f[F.accepted] ? [' ', badge('neutral', t('accepted_badge'))] : null),
      h('dl', { class: 'kv' },
        scList(f).length ? [h('dt', {}, t('col_sc')),
          h('dd', {}, scList(f).map((sc, k) => [k ? ', ' : '', link(scHref(sc), sc)]))] : null,
        h('dt', {}, t('message')), h('dd', { class: 'message' }, str(f[F.msg])),
        f[F.target] >= 0 ? [h('dt', {}, t('target')), h('dd', {}, h('code', {}, str(f[F.target])))] : null,
        f[F.html] >= 0 ? [h('dt', {}, t('html')), h('dd', {}, h('pre', {}, h('code', {}, snippet(f))))] : null,
        h('dt', {}, t('seen_in')), h('dd', {}, f[F.seen].map(cellName).join(', ')),
        where ? [h('dt', {}, t('screenshot')), h('dd', {}, where)] : null,
        h('dt', {}, t('check')), h('dd', {}, str(f[F.check])),
        help ? [h('dt', {}, t('help')), h('dd', {}, h('a', { href: help, rel: 'noreferrer noopener' }, help))] : null));
  }

  function screenshotFigure(u, visit, boxes) {
    const shot = str(visit[V.shot]);
    const w = visit[V.w];
    const hgt = visit[V.h];
    const alt = t('screenshot_alt', urlTitle(u), cellName(visit[V.cell]));
    const frame = h('div', { class: 'shot' },
      h('img', { src: shot, alt, width: Math.round(w), height: Math.round(hgt), loading: 'lazy', decoding: 'async' }));
    for (const [number, box] of boxes) {
      const [x, y, bw, bh] = box;
      // Percentages of the screenshot's size in CSS px, so the outline follows the image however it is scaled.
      const mark = h('span', { class: 'outline', 'aria-hidden': 'true', 'data-finding': number },
        h('span', { class: 'outline-label' }, number));
      mark.style.left = `${(x / w) * 100}%`;
      mark.style.top = `${(y / hgt) * 100}%`;
      mark.style.width = `${(Math.max(bw, 2) / w) * 100}%`;
      mark.style.height = `${(Math.max(bh, 2) / hgt) * 100}%`;
      frame.append(mark);
    }
    return h('figure', { class: 'screenshot' }, frame,
      h('figcaption', {}, boxes.length ? t('outline_note') + ' ' : '',
        visit[V.full] ? null : t('screenshot_viewport_only') + ' ',
        link(shot, t('screenshot_full'))));
  }

  function viewPage(body, heading, arg) {
    const I = ix();
    const [uText, cText] = arg.split('/');
    const u = Number(uText);
    if (!Number.isInteger(u) || u < 0 || u >= D.urls.length) {
      heading.textContent = t('page_view');
      put(body, h('p', {}, t('page_not_found')), h('p', {}, link('#pages', t('back_pages'))));
      return;
    }
    const visits = I.visitsByUrl[u];
    const cells = [...new Set([...visits.map((v) => D.v[v][V.cell]),
      ...I.byUrl[u].flatMap((i) => D.f[i][F.seen])])].sort((a, b) => a - b);
    let cell = cText === undefined ? cells[0] : Number(cText);
    if (!cells.includes(cell)) cell = cells[0];
    const visit = visits.map((v) => D.v[v]).find((v) => v[V.cell] === cell);
    const findings = I.byUrl[u].filter((i) => D.f[i][F.seen].includes(cell))
      .sort((a, b) => D.f[a][F.outcome] - D.f[b][F.outcome] || D.f[a][F.impact] - D.f[b][F.impact]);
    heading.textContent = urlTitle(u);
    const uRow = D.urls[u];
    const href = safeHref(urlText(u));
    const count = (c) => I.byUrl[u].filter((i) => D.f[i][F.seen].includes(c)).length;
    const parts = [
      h('p', {}, link('#pages', t('back_pages'))),
      h('p', { class: 'url' }, urlText(u)),
      href ? h('p', {}, h('a', { href, rel: 'noreferrer noopener' }, t('open_site_page'))) : null,
      cells.length > 1 ? h('nav', { class: 'cells', 'aria-label': t('cell_choice') }, h('ul', {}, cells.map((c) =>
        h('li', {}, h('a', { href: pageHref(u, c), 'aria-current': c === cell ? 'page' : null },
          `${cellName(c)} (${num(count(c))})`))))) : h('p', {}, `${t('col_cell')}: ${cellName(cell)}`),
    ];
    const facts = [];
    if (uRow[U.template] >= 0) facts.push(h('dt', {}, t('template')), h('dd', {}, str(uRow[U.template])));
    if (uRow[U.postType] >= 0) facts.push(h('dt', {}, t('post_type')), h('dd', {}, str(uRow[U.postType])));
    if (visit) {
      facts.push(h('dt', {}, t('col_status')), h('dd', {}, visit[V.status] || '—'));
      if (visit[V.loadMs] >= 0) facts.push(h('dt', {}, t('load_ms')), h('dd', {}, num(visit[V.loadMs])));
      if (visit[V.js]) facts.push(h('dt', {}, t('js_errors')), h('dd', {}, num(visit[V.js])));
      if (visit[V.failed]) facts.push(h('dt', {}, t('failed_requests')), h('dd', {}, num(visit[V.failed])));
    }
    parts.push(h('section', { 'aria-labelledby': 'h-facts' }, h('h3', { id: 'h-facts' }, t('facts')),
      h('dl', { class: 'kv' }, facts),
      visit && visit[V.error] >= 0 ? h('p', { class: 'error' }, t('not_audited', str(visit[V.error]))) : null));

    const outlined = new Set();
    const boxes = [];
    findings.forEach((i, k) => {
      const f = D.f[i];
      const box = f[F.box];
      if (!box || f[F.cell] !== cell || !visit || visit[V.shot] < 0) return;
      if (box[1] >= visit[V.h] || box[0] >= visit[V.w]) return; // below a viewport-only capture
      boxes.push([k + 1, box]);
      outlined.add(k + 1);
    });
    parts.push(h('section', { 'aria-labelledby': 'h-shot' }, h('h3', { id: 'h-shot' }, t('screenshot')),
      visit && visit[V.shot] >= 0 ? screenshotFigure(u, visit, boxes) : h('p', {}, t('screenshot_missing')),
      visit ? visit[V.images].map(([label, path]) => h('p', {}, link(str(path), str(label)))) : null));
    parts.push(h('section', { 'aria-labelledby': 'h-findings' },
      h('h3', { id: 'h-findings' }, t('findings_in_cell', num(findings.length))),
      findings.length ? h('ol', { class: 'findings' },
        findings.map((i, k) => findingItem(i, k + 1, cell, outlined.has(k + 1)))) : h('p', {}, t('no_findings'))));
    put(body, ...parts);
  }

  // ---- view: rules and criteria ----
  function viewRules(body) {
    const st = state.rules;
    const I = ix();
    const results = h('div', { class: 'results' });
    const refresh = () => {
      const q = st.q.toLowerCase();
      const keep = (list) => (st.outcome === 'all' ? list
        : list.filter((i) => D.f[i][F.outcome] === (st.outcome === 'violation' ? 0 : 1)));
      if (st.group === 'sc') {
        let items = [...I.bySc.entries()].map(([sc, list]) => [sc, keep(list)]).filter(([, l]) => l.length);
        items = items.filter(([sc]) => {
          const c = I.criteria.get(sc);
          return !q || sc.includes(q) || (c && str(c[C.title]).toLowerCase().includes(q));
        });
        const key = (sc) => sc.split('.').map(Number);
        items.sort(st.sort === 'pages' ? (a, b) => pagesOf(b[1]) - pagesOf(a[1]) || (a[0] < b[0] ? -1 : 1)
          : (a, b) => { const x = key(a[0]); const y = key(b[0]); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
        paged(results, st, PAGE_SIZE, items, (shown) => table(null,
          [t('col_sc'), t('col_title'), t('col_verdict'), t('col_violations'), t('col_review'), t('col_pages')],
          shown.map(([sc, list]) => {
            const c = I.criteria.get(sc);
            return h('tr', {}, h('td', {}, link(scHref(sc), sc)), h('td', {}, c ? str(c[C.title]) : ''),
              h('td', {}, c ? verdictBadge(c[C.verdict]) : ''),
              h('td', { class: 'num' }, num(countOutcome(list, 0))), h('td', { class: 'num' }, num(countOutcome(list, 1))),
              h('td', { class: 'num' }, num(pagesOf(list))));
          })));
        return;
      }
      let items = [...I.byRule.entries()].map(([rule, list]) => [rule, keep(list)]).filter(([, l]) => l.length);
      items = items.filter(([rule, list]) => {
        if (!q) return true;
        const info = I.rules.get(rule);
        return rule.toLowerCase().includes(q) || (info && str(info[R.help]).toLowerCase().includes(q))
          || scList(D.f[list[0]]).some((sc) => sc.includes(q));
      });
      items.sort(st.sort === 'pages' ? (a, b) => pagesOf(b[1]) - pagesOf(a[1]) || (a[0] < b[0] ? -1 : 1)
        : (a, b) => (a[0] < b[0] ? -1 : 1));
      paged(results, st, PAGE_SIZE, items, (shown) => table(null,
        [t('col_rule'), t('col_sc'), t('col_violations'), t('col_review'), t('col_pages')],
        shown.map(([rule, list]) => {
          const info = I.rules.get(rule);
          const scs = scList(D.f[list[0]]);
          return h('tr', {},
            h('td', {}, link(ruleHref(rule), rule), info && info[R.help] >= 0 ? [h('br'), str(info[R.help])] : null),
            h('td', {}, scs.length ? scs.join(', ') : t('best_practice')),
            h('td', { class: 'num' }, num(countOutcome(list, 0))), h('td', { class: 'num' }, num(countOutcome(list, 1))),
            h('td', { class: 'num' }, num(pagesOf(list))));
        })));
    };
    const reset = (key) => (value) => { st[key] = value; st.page = 0; refresh(); };
    put(body,
      h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field('rules-q', t('search'), searchBox('rules-q', t('search_rules_hint'), st.q, reset('q'))),
        field('rules-group', t('group_by'), select('rules-group', [['rule', t('group_rule')], ['sc', t('group_sc')]],
          st.group, reset('group'))),
        field('rules-outcome', t('filter_outcome'), select('rules-outcome', [['all', t('filter_all')],
          ['violation', t('outcome_violation')], ['review', t('outcome_needs-review')]], st.outcome, reset('outcome'))),
        field('rules-sort', t('sort'), select('rules-sort', [['pages', t('sort_pages')], ['name', t('sort_name')]],
          st.sort, reset('sort')))),
      results);
    refresh();
  }

  function verdictBadge(verdict) {
    const kind = { fail: 'fail', 'needs-review': 'review', pass: 'pass' }[verdict] || 'neutral';
    return badge(kind, t(`verdict_${verdict}`));
  }

  /* Pages a list of findings touches: one row per page (and cell the finding was measured in). */
  function affectedPages(container, findings) {
    const st = state.detail;
    const rows = new Map();
    for (const i of findings) {
      const f = D.f[i];
      const key = `${f[F.url]}/${f[F.cell]}`;
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(i);
    }
    const items = [...rows.values()];
    paged(container, st, PAGE_SIZE, items, (shown) => table(null,
      [t('col_page'), t('col_cell'), t('col_rule'), t('target'), t('col_count')],
      shown.map((list) => {
        const f = D.f[list[0]];
        return h('tr', {},
          h('td', {}, link(pageHref(f[F.url], f[F.cell]), urlTitle(f[F.url])), h('br'),
            h('span', { class: 'url' }, urlText(f[F.url]))),
          h('td', {}, f[F.seen].map(cellName).join(', ')),
          h('td', {}, [...new Set(list.map((i) => str(D.f[i][F.rule])))].join(', ')),
          h('td', {}, h('code', {}, str(f[F.target]))),
          h('td', { class: 'num' }, num(list.length)));
      })));
  }

  /* Template groups: the run's own `groups` section when it has one, else the pages' templates, else selectors. */
  function groupsFor(rule, findings) {
    const own = (D.groups || []).filter((g) => g[1] < 0 || str(g[1]) === rule);
    if (own.length) return { title: 'groups_template', groups: own.map((g) => [str(g[0]), g[2]]) };
    const byKey = new Map();
    const templated = findings.some((i) => D.urls[D.f[i][F.url]][U.template] >= 0);
    for (const i of findings) {
      const f = D.f[i];
      const tpl = D.urls[f[F.url]][U.template];
      const key = templated ? (tpl >= 0 ? str(tpl) : t('no_template')) : norm(str(f[F.target]));
      if (!byKey.has(key)) byKey.set(key, new Set());
      byKey.get(key).add(f[F.url]);
    }
    const groups = [...byKey.entries()].map(([k, s]) => [k, [...s]]).sort((a, b) => b[1].length - a[1].length);
    return { title: templated ? 'groups_template' : 'groups_selector', groups };
  }

  function groupList(rule, findings) {
    const { title, groups } = groupsFor(rule, findings);
    return h('section', { 'aria-labelledby': 'h-groups' },
      h('h3', { id: 'h-groups' }, t(title, num(groups.length))),
      h('ul', { class: 'groups' }, groups.slice(0, 200).map(([label, urls]) => {
        const inner = h('div', {});
        const details = h('details', {
          ontoggle: () => {
            if (!details.open || inner.childElementCount) return;
            inner.append(h('ul', {}, urls.slice(0, 500).map((u) => h('li', {}, link(pageHref(u), urlTitle(u))))));
          },
        }, h('summary', {}, h('code', {}, label), ' — ',
          urls.length > 1 ? t('group_fix_once', num(urls.length)) : t('group_pages', num(urls.length))), inner);
        return h('li', {}, details);
      })));
  }

  function viewRule(body, heading, rule) {
    const I = ix();
    const findings = I.byRule.get(rule) || [];
    heading.textContent = rule;
    const back = h('p', {}, link('#rules', t('back_rules')));
    if (!findings.length) {
      put(body, back, h('p', {}, t('rule_not_found')));
      return;
    }
    const info = I.rules.get(rule);
    const help = info ? safeHref(str(info[R.helpUrl])) : null;
    const scs = scList(D.f[findings[0]]);
    const pages = h('div', { class: 'results' });
    state.detail.page = 0;
    put(body, back,
      info && info[R.help] >= 0 ? h('p', { class: 'lead' }, str(info[R.help])) : null,
      h('dl', { class: 'kv' },
        h('dt', {}, t('col_sc')),
        h('dd', {}, scs.length ? scs.map((sc, k) => [k ? ', ' : '', link(scHref(sc), sc)]) : t('best_practice')),
        h('dt', {}, t('col_violations')), h('dd', {}, num(countOutcome(findings, 0))),
        h('dt', {}, t('col_review')), h('dd', {}, num(countOutcome(findings, 1))),
        h('dt', {}, t('col_pages')), h('dd', {}, num(pagesOf(findings))),
        help ? [h('dt', {}, t('help')), h('dd', {}, h('a', { href: help, rel: 'noreferrer noopener' }, help))] : null),
      groupList(rule, findings),
      h('section', { 'aria-labelledby': 'h-affected' },
        h('h3', { id: 'h-affected' }, t('affected_pages', num(pagesOf(findings)))), pages));
    affectedPages(pages, findings);
  }

  function viewSc(body, heading, sc) {
    const I = ix();
    const c = I.criteria.get(sc);
    const findings = I.bySc.get(sc) || [];
    heading.textContent = c ? `${sc} ${str(c[C.title])}` : sc;
    const rules = new Map();
    for (const i of findings) {
      const rule = str(D.f[i][F.rule]);
      rules.set(rule, (rules.get(rule) || 0) + 1);
    }
    const pages = h('div', { class: 'results' });
    state.detail.page = 0;
    put(body, h('p', {}, link('#rules', t('back_rules'))),
      c ? h('dl', { class: 'kv' },
        h('dt', {}, t('col_level')), h('dd', {}, c[C.level]),
        h('dt', {}, t('col_verdict')), h('dd', {}, verdictBadge(c[C.verdict])),
        h('dt', {}, t('col_violations')), h('dd', {}, num(c[C.violations])),
        h('dt', {}, t('col_review')), h('dd', {}, num(c[C.review])),
        h('dt', {}, t('col_pages_failing')), h('dd', {}, num(c[C.pagesFailing]))) : null,
      h('section', { 'aria-labelledby': 'h-sc-rules' }, h('h3', { id: 'h-sc-rules' }, t('rules_in_sc')),
        rules.size ? h('ul', {}, [...rules.entries()].map(([r, n]) => h('li', {}, link(ruleHref(r), r), ` (${num(n)})`)))
          : h('p', {}, t('none'))),
      h('section', { 'aria-labelledby': 'h-affected' },
        h('h3', { id: 'h-affected' }, t('affected_pages', num(pagesOf(findings)))), pages));
    affectedPages(pages, findings);
  }

  // ---- view: links ----
  function viewLinks(body) {
    if (!D.links) {
      const notRun = (D.notrun || {}).links;
      put(body, h('p', { class: 'note', role: 'note' }, notRun ? t('links_not_run', notRun) : t('links_none')));
      return;
    }
    const st = state.links;
    const I = ix();
    const results = h('div', { class: 'results' });
    const resultOf = (l) => str(l[L.result]);
    const broken = D.links.filter((l) => resultOf(l) === 'broken').length;
    const warnings = D.links.filter((l) => resultOf(l) === 'warning').length;
    const refresh = () => {
      const q = st.q.toLowerCase();
      const items = D.links.filter((l) => (st.result === 'all' || resultOf(l) === st.result) && (!q
        || [L.url, L.source, L.text].some((k) => str(l[k]).toLowerCase().includes(q))));
      paged(results, st, PAGE_SIZE, items, (shown) => table(null,
        [t('col_result'), t('col_status'), t('col_url'), t('col_source'), t('col_text'), t('col_reason')],
        shown.map((l) => {
          const result = resultOf(l);
          const source = str(l[L.source]);
          const u = I.urlPos.get(source);
          return h('tr', {},
            h('td', {}, badge({ broken: 'fail', warning: 'review', ok: 'pass' }[result] || 'neutral',
              M[`result_${result}`] ? t(`result_${result}`) : result)),
            h('td', { class: 'num' }, l[L.status] || '—'),
            h('td', { class: 'url' }, str(l[L.url])),
            h('td', {}, u === undefined ? h('span', { class: 'url' }, source) : link(pageHref(u), urlTitle(u))),
            h('td', {}, str(l[L.text])),
            h('td', {}, str(l[L.reason])));
        })));
    };
    const reset = (key) => (value) => { st[key] = value; st.page = 0; refresh(); };
    const kinds = [...new Set(D.links.map(resultOf))];
    put(body,
      h('p', { class: 'lead' }, t('links_summary', num(D.links.length), num(broken), num(warnings))),
      h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field('links-q', t('search'), searchBox('links-q', t('search_links_hint'), st.q, reset('q'))),
        field('links-result', t('filter_result'), select('links-result', [['all', t('filter_all')],
          ...kinds.map((k) => [k, M[`result_${k}`] ? t(`result_${k}`) : k])], st.result, reset('result')))),
      results);
    refresh();
  }

  // ---- view: browser matrix ----
  function viewMatrix(body) {
    const st = state.matrix;
    const I = ix();
    const results = h('div', { class: 'results' });
    const visitAt = (u, c) => I.visitsByUrl[u].map((v) => D.v[v]).find((v) => v[V.cell] === c);
    const inCell = (u, c, outcome) => I.byUrl[u].filter((i) => D.f[i][F.outcome] === outcome && D.f[i][F.seen].includes(c)).length;
    const refresh = () => {
      const q = st.q.toLowerCase();
      const items = [];
      for (let u = 0; u < D.urls.length; u++) {
        if (q && !urlText(u).toLowerCase().includes(q) && !urlTitle(u).toLowerCase().includes(q)) continue;
        if (st.show === 'violations' && !I.violations[u]) continue;
        if (st.show === 'images' && !I.visitsByUrl[u].some((v) => D.v[v][V.images].length)) continue;
        items.push(u);
      }
      paged(results, st, MATRIX_ROWS, items, (shown) => h('div', { class: 'scroll' }, table(t('matrix_caption'),
        [t('col_page'), ...D.cells], shown.map((u) => h('tr', {},
          h('th', { scope: 'row' }, link(pageHref(u), urlTitle(u)), h('br'), h('span', { class: 'url' }, urlText(u))),
          D.cells.map((_, c) => {
            const v = visitAt(u, c);
            if (!v) return h('td', {}, t('matrix_not_visited'));
            const viol = inCell(u, c, 0);
            const rev = inCell(u, c, 1);
            const label = v[V.error] >= 0 ? t('not_audited', str(v[V.error]))
              : viol || rev ? t('matrix_cell_counts', num(viol), num(rev)) : t('matrix_cell_ok');
            return h('td', { class: v[V.error] >= 0 || viol ? 'cell-fail' : rev ? 'cell-review' : 'cell-ok' },
              h('a', { href: pageHref(u, c), class: 'thumb-link' },
                v[V.shot] >= 0 ? h('img', { src: str(v[V.shot]), alt: '', class: 'thumb', loading: 'lazy',
                  decoding: 'async', width: 160, height: Math.max(1, Math.round(Math.min(v[V.h], v[V.w] * 1.5) * 160 / v[V.w])) }) : null,
                h('span', {}, label)),
              v[V.images].length ? h('ul', { class: 'images', 'aria-label': t('matrix_images') },
                v[V.images].map(([lbl, path]) => h('li', {}, link(str(path), str(lbl))))) : null);
          }))), 'matrix')));
    };
    const reset = (key) => (value) => { st[key] = value; st.page = 0; refresh(); };
    const notRun = (D.notrun || {}).browsers;
    put(body,
      notRun ? h('p', { class: 'note', role: 'note' }, t('matrix_not_run', notRun)) : null,
      h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field('matrix-q', t('search'), searchBox('matrix-q', t('search_pages_hint'), st.q, reset('q'))),
        field('matrix-show', t('filter_outcome'), select('matrix-show', [['all', t('filter_all')],
          ['violations', t('filter_with_violations')], ['images', t('matrix_images')]], st.show, reset('show')))),
      results);
    refresh();
  }

  // ---- view: to-do list for a person ----
  const store = {
    key: (id) => `qa-report:${D.run}:${id}`,
    get(id) { try { return localStorage.getItem(this.key(id)) === '1'; } catch { return false; } },
    set(id, on) { try { if (on) localStorage.setItem(this.key(id), '1'); else localStorage.removeItem(this.key(id)); } catch { /* private mode */ } },
  };

  function todo(id, labelKids, details, onchange) {
    const box = h('input', { type: 'checkbox', id: `todo-${id}`, checked: store.get(id),
      onchange: (e) => { store.set(id, e.target.checked); onchange(); } });
    return h('li', { class: 'todo' }, box, h('label', { for: `todo-${id}` }, labelKids), details);
  }

  function viewReview(body) {
    const st = state.review;
    const reviewItems = D.f.map((f, i) => i).filter((i) => D.f[i][F.outcome] !== VIOLATION)
      .sort((a, b) => (str(D.f[a][F.rule]) < str(D.f[b][F.rule]) ? -1 : str(D.f[a][F.rule]) > str(D.f[b][F.rule]) ? 1 : D.f[a][F.url] - D.f[b][F.url]));
    const criteria = D.criteria.filter((c) => c[C.verdict] === 'needs-review' || c[C.verdict] === 'not-verified');
    const ids = [...reviewItems.map((i) => str(D.f[i][F.id])), ...criteria.map((c) => `sc:${c[C.sc]}`)];
    const progress = h('p', { class: 'progress', role: 'status' });
    const update = () => { progress.textContent = t('review_done', num(ids.filter((id) => store.get(id)).length), num(ids.length)); };
    const results = h('div', { class: 'results' });
    const refresh = () => {
      const q = st.q.toLowerCase();
      const items = reviewItems.filter((i) => !q || str(D.f[i][F.rule]).toLowerCase().includes(q)
        || urlText(D.f[i][F.url]).toLowerCase().includes(q));
      paged(results, st, PAGE_SIZE, items, (shown) => h('ul', { class: 'todos' }, shown.map((i) => {
        const f = D.f[i];
        return todo(str(f[F.id]), t('review_item', str(f[F.rule]), urlTitle(f[F.url])),
          h('div', { class: 'todo-detail' }, h('p', {}, str(f[F.msg])),
            f[F.target] >= 0 ? h('p', {}, h('code', {}, str(f[F.target]))) : null,
            h('p', {}, link(pageHref(f[F.url], f[F.cell]), t('page_view')), ' · ', link(ruleHref(str(f[F.rule])), t('rule_view')))),
          update);
      })));
    };
    put(body,
      h('p', { class: 'lead' }, t('review_intro')), progress,
      h('section', { 'aria-labelledby': 'h-review-f' },
        h('h3', { id: 'h-review-f' }, t('review_findings', num(reviewItems.length))),
        reviewItems.length ? [h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
          field('review-q', t('search'), searchBox('review-q', t('search_review_hint'), st.q, (v) => { st.q = v; st.page = 0; refresh(); }))),
        results] : h('p', {}, t('review_none'))),
      h('section', { 'aria-labelledby': 'h-review-c' },
        h('h3', { id: 'h-review-c' }, t('review_criteria', num(criteria.length))),
        h('p', {}, t('review_criteria_intro')),
        h('ul', { class: 'todos' }, criteria.map((c) => todo(`sc:${c[C.sc]}`,
          [`${c[C.sc]} ${str(c[C.title])} (${c[C.level]}) `, verdictBadge(c[C.verdict])], null, update)))));
    if (reviewItems.length) refresh();
    update();
  }

  // ---- routing: #pages, #page/<url>/<cell>, #rules, #rule/<id>, #sc/<n>, #links, #matrix, #review ----
  const VIEWS = { overview: null, pages: viewPages, page: viewPage, rules: viewRules, rule: viewRule, sc: viewSc,
    links: viewLinks, matrix: viewMatrix, review: viewReview };
  const NAV_OF = { page: 'pages', rule: 'rules', sc: 'rules' };
  const baseTitle = document.title;

  let routed = 0; // the latest navigation wins when an earlier one is still waiting for data

  async function route(initial) {
    const mine = ++routed;
    const hash = location.hash.slice(1);
    const slash = hash.indexOf('/');
    let name = slash < 0 ? hash : hash.slice(0, slash);
    let arg = slash < 0 ? '' : hash.slice(slash + 1);
    if (!(name in VIEWS)) {
      if (name === 'main' || name.startsWith('finding-')) return; // in-page anchors
      name = 'overview';
      arg = '';
    }
    try { arg = decodeURIComponent(arg); } catch { arg = ''; }
    if (name === 'page') await loadSnippets(Number(arg.split('/')[0]) || 0);
    if (mine !== routed) return;
    for (const section of document.querySelectorAll('main > .view')) {
      section.hidden = section.id !== `view-${name}`;
      // A hidden view keeps no DOM: the document stays small and ids stay unique.
      if (section.hidden && section.id !== 'view-overview') put(section.querySelector('.view-body'));
    }
    const section = document.getElementById(`view-${name}`);
    const heading = section.querySelector('h2');
    const body = section.querySelector('.view-body');
    if (VIEWS[name]) {
      if (name in NAV_OF) VIEWS[name](body, heading, arg);
      else VIEWS[name](body);
    }
    const current = NAV_OF[name] || name;
    for (const a of document.querySelectorAll('nav.views a')) {
      if (a.getAttribute('href') === `#${current}`) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = name === 'overview' ? baseTitle : `${heading.textContent} – ${baseTitle}`;
    // A screen-reader user hears where they landed; the first load keeps focus at the top of the document.
    if (!initial) heading.focus();
    window.scrollTo(0, 0);
  }

  window.addEventListener('hashchange', () => route(false));
  await route(true);
  performance.mark('qa-ready');
  document.documentElement.dataset.ready = 'true';
})();
