/*
 * The search page of `bsearch --serve`.  Every piece of document text is put
 * into the DOM with textContent; the one exception, snippet_html, is HTML
 * the server escaped with only <mark> tags in it, and is checked again here
 * before it is shown.  The state of a search lives in the URL (q, f, from,
 * to, sort, offset, doc), so a search can be shared and bookmarked.
 */
'use strict';

const PAGE = 10;
const FACETS = [['org', '組織'], ['year', '年'], ['category', '分類'], ['leaked', '漏えいした情報'],
                ['method', '手口'], ['authority', '届出先']];
const FIELD_NAMES = {org: '組織', year: '年', category: '分類', leaked: '漏えい', method: '手口',
                     authority: '届出先', date: '日付', title: 'タイトル'};
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function readState() {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get('q') || '',
    f: p.getAll('f').filter((s) => s.indexOf(':') > 0),
    from: p.get('from') || '',
    to: p.get('to') || '',
    sort: p.get('sort') || 'relevance',
    offset: Math.max(0, parseInt(p.get('offset') || '0', 10) || 0),
    doc: p.get('doc'),
  };
}

function stateUrl(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  st.f.forEach((f) => p.append('f', f));
  if (st.from) p.set('from', st.from);
  if (st.to) p.set('to', st.to);
  if (st.sort && st.sort !== 'relevance') p.set('sort', st.sort);
  if (st.offset) p.set('offset', String(st.offset));
  if (st.doc !== null && st.doc !== undefined) p.set('doc', st.doc);
  const s = p.toString();
  return '/' + (s ? '?' + s : '');
}

function quote(v) {
  return '"' + v.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/* The query sent to the API: the words typed, then the filters as field terms. */
function apiQuery(st) {
  const parts = [];
  if (st.q.trim()) parts.push(st.q.trim());
  st.f.forEach((f) => {
    const i = f.indexOf(':');
    const name = f.slice(0, i), value = f.slice(i + 1);
    parts.push(name === 'year' ? 'date:' + value.replace(/[^0-9]/g, '') : name + ':' + quote(value));
  });
  if (st.from && st.to) parts.push('date:' + st.from + '..' + st.to);
  else if (st.from) parts.push('date:>=' + st.from);
  else if (st.to) parts.push('date:<=' + st.to);
  return parts.join(' ');
}

let state = readState();

function go(changes, replace) {
  state = Object.assign({}, state, changes);
  const url = stateUrl(state);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function fieldOf(hit, name) {
  const f = (hit.fields || []).find((x) => x.name === name);
  return f ? f.value : '';
}

function affectedText(a) {
  if (!a) return '';
  const q = a.qualifier === 'max' ? '最大' : a.qualifier === 'approx' ? '約' : '';
  return q + Number(a.value).toLocaleString('ja-JP') + (a.unit || '');
}

/* snippet_html holds only text and <mark> elements; anything else means
 * the server misbehaved, and the plain snippet is shown instead. */
function snippetNode(hit) {
  const p = el('p', 'snippet');
  const t = document.createElement('template');
  t.innerHTML = hit.snippet_html || '';
  const ok = Array.from(t.content.querySelectorAll('*')).every(
    (e) => e.tagName === 'MARK' && e.attributes.length === 0 && e.children.length === 0);
  if (ok) p.appendChild(t.content);
  else p.textContent = hit.snippet || '';
  return p;
}

function hitNode(hit) {
  const li = el('li', 'hit');
  li.dataset.doc = hit.doc;
  const h = el('h3');
  const a = el('a', 'title', hit.title || '(タイトルなし)');
  a.href = stateUrl(Object.assign({}, state, {doc: String(hit.doc)}));
  a.addEventListener('click', (ev) => { ev.preventDefault(); go({doc: String(hit.doc)}); });
  h.appendChild(a);
  li.appendChild(h);
  const meta = el('div', 'meta');
  [['date', fieldOf(hit, 'date')], ['org', fieldOf(hit, 'org')],
   ['kind', fieldOf(hit, 'kind') || fieldOf(hit, 'category')],
   ['affected', affectedText(hit.affected)]].forEach(([cls, v]) => {
    if (v) meta.appendChild(el('span', cls, v));
  });
  li.appendChild(meta);
  li.appendChild(el('div', 'path', hit.path));
  li.appendChild(snippetNode(hit));
  return li;
}

function facetNode(name, label, counts) {
  const sec = el('section', 'facet');
  sec.dataset.field = name;
  sec.appendChild(el('h2', null, label));
  const ul = el('ul');
  Object.keys(counts).slice(0, 12).forEach((v) => {
    const li = el('li');
    const b = el('button');
    b.type = 'button';
    b.dataset.value = v;
    b.appendChild(el('span', 'v', v));
    b.appendChild(el('span', 'n', counts[v]));
    b.addEventListener('click', () => {
      const f = name + ':' + v;
      if (state.f.indexOf(f) < 0) go({f: state.f.concat([f]), offset: 0, doc: null});
    });
    li.appendChild(b);
    ul.appendChild(li);
  });
  if (!ul.children.length) return null;
  sec.appendChild(ul);
  return sec;
}

function showFilters() {
  const box = $('filters');
  box.replaceChildren();
  if (!state.f.length) return;
  box.appendChild(el('h2', null, '絞り込み中'));
  state.f.forEach((f) => {
    const i = f.indexOf(':');
    const b = el('button', 'filter', (FIELD_NAMES[f.slice(0, i)] || f.slice(0, i)) + ': ' +
                 f.slice(i + 1) + ' ×');
    b.type = 'button';
    b.title = 'この絞り込みを外す';
    b.addEventListener('click', () => go({f: state.f.filter((x) => x !== f), offset: 0}));
    box.appendChild(b);
  });
}

let seq = 0;

async function search() {
  const q = apiQuery(state);
  const mine = ++seq;
  $('hits').replaceChildren();
  $('facets').replaceChildren();
  $('prev').hidden = $('next').hidden = true;
  $('page').textContent = '';
  if (!q) {
    $('status').textContent = '検索語を入力してください。';
    return;
  }
  $('status').textContent = '検索中…';
  const p = new URLSearchParams({q: q, n: String(PAGE), offset: String(state.offset),
                                 sort: state.sort, facet: FACETS.map((f) => f[0]).join(',')});
  let r, body;
  try {
    r = await fetch('/api/search?' + p.toString());
    body = await r.json();
  } catch (e) {
    if (mine === seq) $('status').textContent = '検索できませんでした(' + e.message + ')';
    return;
  }
  if (mine !== seq) return;
  if (!r.ok) {
    let msg = 'エラー: ' + (body.message || r.status);
    if (body.position !== undefined) msg += '(' + body.position + ' バイト目)';
    $('status').textContent = msg;
    return;
  }
  const shown = body.hits.length;
  $('status').textContent = body.total ? body.total.toLocaleString('ja-JP') + ' 件' +
    (shown ? '(' + (body.offset + 1) + '–' + (body.offset + shown) + ' 件目)' : '') +
    ' · ' + (body.took_us / 1000).toFixed(1) + ' ms' : '該当する通知はありません。';
  body.hits.forEach((h) => $('hits').appendChild(hitNode(h)));
  FACETS.forEach(([name, label]) => {
    const n = facetNode(name, label, (body.facets || {})[name] || {});
    if (n) $('facets').appendChild(n);
  });
  const pages = Math.ceil(body.total / PAGE);
  if (pages > 1)
    $('page').textContent = (Math.floor(body.offset / PAGE) + 1) + ' / ' + pages + ' ページ';
  $('prev').hidden = body.offset === 0;
  $('next').hidden = body.offset + shown >= body.total;
}

async function showDoc() {
  const view = $('docview');
  if (state.doc === null || state.doc === undefined) {
    view.hidden = true;
    return;
  }
  ['doc-title', 'doc-path', 'doc-text'].forEach((id) => { $(id).textContent = ''; });
  $('doc-fields').replaceChildren();
  view.hidden = false;
  $('doc-close').focus();
  let r, d;
  try {
    r = await fetch('/api/doc?id=' + encodeURIComponent(state.doc));
    d = await r.json();
  } catch (e) {
    $('doc-title').textContent = '読み込めませんでした';
    return;
  }
  if (!r.ok) {
    $('doc-title').textContent = 'エラー: ' + (d.message || r.status);
    return;
  }
  $('doc-title').textContent = d.title || '(タイトルなし)';
  $('doc-path').textContent = d.path;
  const dl = $('doc-fields');
  const add = (k, v) => { if (v) { dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', null, v)); } };
  (d.fields || []).forEach((f) => add(FIELD_NAMES[f.name] || f.name, f.value));
  add('影響', affectedText(d.affected));
  add('漏えい', (d.leaked || []).join('、'));
  add('手口', (d.method || []).join('、'));
  add('届出先', (d.authorities || []).join('、'));
  $('doc-text').textContent = d.text;
}

function render() {
  $('q').value = state.q;
  $('from').value = state.from;
  $('to').value = state.to;
  $('sort').value = state.sort;
  document.title = state.q ? state.q + ' - bidx 通知検索' : 'bidx 通知検索';
  showFilters();
  search();
  showDoc();
}

function closeDoc() {
  if (state.doc !== null && state.doc !== undefined) go({doc: null});
}

document.addEventListener('DOMContentLoaded', () => {
  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    go({q: $('q').value, offset: 0, doc: null});
  });
  $('sort').addEventListener('change', () => go({sort: $('sort').value, offset: 0}));
  $('apply-range').addEventListener('click', () => go({from: $('from').value, to: $('to').value, offset: 0}));
  $('prev').addEventListener('click', () => go({offset: Math.max(0, state.offset - PAGE)}));
  $('next').addEventListener('click', () => go({offset: state.offset + PAGE}));
  $('doc-close').addEventListener('click', closeDoc);
  $('docview').addEventListener('click', (ev) => { if (ev.target === $('docview')) closeDoc(); });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeDoc();
    else if (ev.key === '/' && document.activeElement !== $('q')) {
      ev.preventDefault();
      $('q').focus();
    }
  });
  window.addEventListener('popstate', () => { state = readState(); render(); });
  render();
});
