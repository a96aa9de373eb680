// reelrank page: calls the JSON API of the server that served it, nothing else.
'use strict';

const $ = (id) => document.getElementById(id);
const FILTERS = ['min_avg_rating', 'min_ratings', 'year_from', 'year_to', 'genre', 'fusion', 'retrieval', 'alpha',
  'candidates', 'limit'];
const given = new Map(); // "user:movie" -> rating posted from this page, shown beside the stars
let generation = 0;      // a newer search makes older answers stale

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function selectedUser() {
  const typed = $('user-id').value.trim();
  return typed !== '' ? typed : $('user').value;
}

function params(withUser) {
  const p = new URLSearchParams();
  p.set('q', $('q').value.trim());
  for (const f of FILTERS) {
    const v = $(f).value.trim();
    // α goes out only once moved, so the server's default applies until then.
    if (f === 'alpha' && !$('alpha').dataset.touched) continue;
    // The server's defaults (learned fusion, auto retrieval) go out as nothing: the server then ranks a
    // search with a user by the learned ranker (weighted where it cannot) and one without by weighted.
    if (v !== '' && !(f === 'fusion' && v === 'learned') && !(f === 'retrieval' && v === 'auto')) p.set(f, v);
  }
  if (withUser) {
    p.set('user', selectedUser());
    p.set('explain', 'true'); // a learned score's reasons, shown on hover
  }
  return p;
}

// The API key lives in this tab's sessionStorage (gone when the tab closes), never in a URL; every
// call sends it as Authorization: Bearer.
const KEY = 'reelrank.key';

function withKey(options) {
  const o = Object.assign({}, options || {});
  o.headers = Object.assign({}, o.headers || {});
  const key = sessionStorage.getItem(KEY);
  if (key) o.headers.Authorization = 'Bearer ' + key;
  return o;
}

async function api(path, options) {
  const res = await fetch(path, withKey(options));
  const body = await res.json().catch(() => ({ error: 'bad response', detail: 'HTTP ' + res.status }));
  if (!res.ok) {
    const e = new Error(body.detail || body.error || ('HTTP ' + res.status));
    e.status = res.status;
    e.body = body;
    throw e;
  }
  return body;
}

// Events (docs/events.md): each list the page shows is an impression of the answer's request_id, and a
// movie opened or rated from it a click at its position. Best effort: a refused post changes nothing here.
const PAGE = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
let eventSeq = 0;
const shown = new Map();

function postEvents(events) {
  fetch('/api/events', withKey({
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ events: events }),
  })).catch(() => {});
}

function event(type, data) {
  const e = { id: 'page-' + PAGE + '-' + (++eventSeq), type: type, request_id: data.request_id };
  if (data.user) e.user_id = data.user;
  return e;
}

function impression(list, data) {
  shown.set(list, data);
  if (!data || !data.request_id || !data.results.length) return;
  const e = event('impression', data);
  e.movie_ids = data.results.map((r) => r.movie_id);
  e.positions = data.results.map((r, i) => i + 1);
  postEvents([e]);
}

function clicked(list, movieId) {
  const data = shown.get(list);
  if (!data || !data.request_id) return;
  const i = data.results.findIndex((r) => r.movie_id === movieId);
  if (i < 0) return;
  const e = event('click', data);
  e.movie_id = movieId;
  e.position = i + 1;
  postEvents([e]);
}

function showError(e, query) {
  const box = $('error');
  if (!e) { box.hidden = true; return; }
  let text = (e.body && e.body.error ? e.body.error + ': ' : '') + e.message;
  if (e.body && typeof e.body.position === 'number' && query !== undefined) {
    text = query + '\n' + ' '.repeat(e.body.position) + '^\n' + text;
  }
  box.textContent = text;
  box.hidden = false;
}

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 2600);
}

function chip(genre) {
  return el('span', 'chip' + (genre === 'Fantasy' ? ' fantasy' : ''), genre);
}

function bar(label, fraction, valueText, cls) {
  const frag = document.createDocumentFragment();
  frag.append(el('span', null, label));
  const track = el('div', 'track');
  const fill = el('div', 'fill ' + (cls || ''));
  fill.style.width = (Math.max(0, Math.min(1, fraction)) * 100).toFixed(1) + '%';
  track.append(fill);
  frag.append(track, el('span', 'num', valueText));
  return frag;
}

function similarityBar(sim) {
  const frag = document.createDocumentFragment();
  frag.append(el('span', null, 'similarity'));
  const track = el('div', 'track diverging');
  if (sim !== null && sim !== undefined) {
    const fill = el('div', 'fill ' + (sim >= 0 ? 'pos' : 'neg'));
    const half = Math.min(1, Math.abs(sim)) * 50;
    fill.style.width = half.toFixed(1) + '%';
    fill.style.left = (sim >= 0 ? 50 : 50 - half).toFixed(1) + '%';
    track.append(fill);
  }
  frag.append(track, el('span', 'num', sim === null || sim === undefined ? 'n/a' : sim.toFixed(3)));
  return frag;
}

function movement(r) {
  if (r.bm25_rank === null || r.bm25_rank === undefined) return el('span', 'move up', 'new');
  const m = r.bm25_rank - r.rank;
  if (m > 0) return el('span', 'move up', '↑' + m);
  if (m < 0) return el('span', 'move down', '↓' + (-m));
  return el('span', 'move', '=');
}

function stars(movie, user) {
  const box = el('div', 'rate');
  if (!user) return box;
  box.append(el('span', 'label', 'Rate'));
  const key = user + ':' + movie.movie_id;
  const buttons = [];
  for (let s = 1; s <= 5; s++) {
    const b = el('button', 'star', '★');
    b.type = 'button';
    b.title = 'Rate ' + movie.title + ' ' + s + '.0 as user ' + user;
    b.dataset.rating = String(s);
    b.addEventListener('mouseenter', () => buttons.forEach((x, i) => x.classList.toggle('hover', i < s)));
    b.addEventListener('mouseleave', () => buttons.forEach((x) => x.classList.remove('hover')));
    b.addEventListener('click', () => rate(user, movie, s));
    buttons.push(b);
    box.append(b);
  }
  if (given.has(key)) {
    buttons.forEach((x, i) => x.classList.toggle('on', i < given.get(key)));
    box.append(el('span', 'given', 'you rated ' + given.get(key).toFixed(1)));
  }
  return box;
}

function renderList(target, data, opts) {
  const list = $(target);
  list.replaceChildren();
  impression(target, data);
  if (!data.results.length) {
    list.append(el('li', 'empty', 'No movie matches this query and these filters.'));
    return;
  }
  const maxBm25 = Math.max(...data.results.map((r) => r.bm25), 1e-9);
  const maxScore = Math.max(...data.results.map((r) => r.score), 1e-9);
  const maxCf = Math.max(...data.results.map((r) => (r.collaborative === null || r.collaborative === undefined) ? 0 : r.collaborative), 1e-9);
  const maxPop = Math.max(...data.results.map((r) => Math.log1p(r.rating_count || 0)), 1e-9);
  for (const r of data.results) {
    const li = el('li', 'result');
    li.dataset.movieId = String(r.movie_id);
    li.dataset.rank = String(r.rank);
    li.dataset.bm25Rank = String(r.bm25_rank);
    li.dataset.retriever = r.retriever || 'bm25';
    if (opts.flash === r.movie_id) li.classList.add('flash');
    li.append(el('div', 'rank', String(r.rank)));
    const title = el('div', 'title');
    const a = el('a', null, r.title);
    a.href = '/api/movies/' + r.movie_id;
    a.target = '_blank';
    a.addEventListener('click', () => clicked(target, r.movie_id));
    title.append(a, el('span', 'year', r.year ? ' (' + r.year + ')' : ''));
    li.append(title);
    if (opts.personalized) {
      li.append(movement(r));
    } else if (opts.placeOf) {
      const to = opts.placeOf.get(r.movie_id);
      if (to === undefined) li.append(el('span', 'move down', 'out of top ' + opts.topN));
      else if (to < r.rank) li.append(el('span', 'move up', '→ #' + to));
      else if (to > r.rank) li.append(el('span', 'move down', '→ #' + to));
      else li.append(el('span', 'move', '→ #' + to));
    } else {
      li.append(el('span'));
    }
    const meta = el('div', 'meta');
    const chips = el('div', 'chips');
    r.genres.forEach((g) => chips.append(chip(g)));
    if (!r.has_embedding) chips.append(el('span', 'chip', 'no embedding'));
    meta.append(chips);
    // Which candidate list found the movie, shown once semantic retrieval took part.
    if (data.retrieval && data.retrieval !== 'bm25') {
      const found = el('span', 'found ' + li.dataset.retriever, 'found by ' + li.dataset.retriever);
      found.title = r.semantic_rank ? 'semantic #' + r.semantic_rank + ', cosine with the query '
        + r.semantic_score.toFixed(3) + (r.bm25_rank ? '; BM25 #' + r.bm25_rank : '; not found by BM25')
        : 'BM25 #' + r.bm25_rank + '; not among the nearest movie vectors';
      meta.append(found);
    }
    if (opts.personalized) meta.append(stars(r, opts.user));
    li.append(meta);
    const bars = el('div', 'bars');
    bars.append(bar('BM25', r.bm25 / maxBm25, r.bm25.toFixed(2)));
    if (opts.personalized) {
      bars.append(bar('ratings', Math.log1p(r.rating_count || 0) / maxPop, String(r.rating_count || 0)));
      bars.append(similarityBar(r.similarity));
      if (r.collaborative !== null && r.collaborative !== undefined) {
        bars.append(bar('u·v', Math.max(0, r.collaborative) / maxCf, r.collaborative.toFixed(3), 'cf'));
      }
      bars.append(bar('score', r.score / maxScore, r.score.toFixed(3), 'score'));
    }
    // A learned score: its top reasons, one a line; otherwise the fusion's formula with its numbers.
    bars.title = r.reasons ? r.reasons.map((x) => x.text + ': ' + (x.contribution >= 0 ? '+' : '')
      + x.contribution.toFixed(2)).join('\n') : r.explanation;
    li.append(bars);
    list.append(li);
  }
}

function setState(state) {
  $('bm25').dataset.state = state;
  $('personalized').dataset.state = state;
}

async function search(opts) {
  opts = opts || {};
  const q = $('q').value.trim();
  if (!q) return;
  $('did-you-mean').hidden = true;
  const my = ++generation;
  const user = selectedUser();
  setState('loading');
  syncUrl();
  try {
    const plainReq = api('/api/search?' + params(false));
    const persReq = user ? api('/api/search?' + params(true)) : Promise.resolve(null);
    const [plain, pers] = await Promise.all([plainReq, persReq]);
    if (my !== generation) return;
    showError(null);
    const placeOf = pers ? new Map(pers.results.map((r) => [r.movie_id, r.rank])) : null;
    renderList('bm25', plain, { personalized: false, placeOf: placeOf, topN: pers ? pers.results.length : 0 });
    $('bm25-sub').textContent = plain.total_matches + ' matches · ' + (plain.retrieval === 'bm25' ? 'BM25'
      : plain.retrieval + ' retrieval') + (plain.fusion === 'weighted' ? ' and popularity' : ' order');
    didYouMean(plain.did_you_mean);
    if (pers && !$('alpha').dataset.touched) {
      $('alpha').value = String(pers.alpha);
      $('alpha-out').textContent = Number(pers.alpha).toFixed(2) + ' (default)';
    }
    if (pers) {
      renderList('personalized', pers, { personalized: pers.personalized, user: user, flash: opts.flash });
      const weights = pers.fusion === 'weighted'
        ? ', α = ' + pers.alpha + ', π = ' + pers.popularity_weight + ', γ = ' + pers.collaborative_weight
        : pers.fusion === 'linear' ? ', α = ' + pers.alpha
          : pers.ranker_version ? ' ranker v' + pers.ranker_version : '';
      $('personalized-sub').textContent = pers.personalized
        ? 'for ' + userLabel(user) + ' · ' + pers.fusion + weights + ' over ' + pers.candidates + ' candidates'
          + (pers.model_version ? (pers.has_collaborative ? ' · model v' + pers.model_version : ' · no collaborative vector') : '')
          + (pers.note ? ' · ' + pers.note : '')
        : 'user ' + user + ' has no vector yet (cold): ' + (pers.fusion === 'weighted' ? 'BM25 and popularity' : 'BM25 order');
    } else {
      $('personalized').replaceChildren(el('li', 'empty', 'Pick a user to see the same query re-ranked for them.'));
      $('personalized-sub').textContent = 'pick a user';
    }
    setState('done');
  } catch (e) {
    if (my !== generation) return;
    showError(e, q);
    setState('error');
  }
}

/** "Did you mean": the query with its unknown words corrected, a click away; hidden when none. */
function didYouMean(corrected) {
  const box = $('did-you-mean');
  if (!corrected) { box.hidden = true; return; }
  const a = el('a', null, corrected);
  a.href = '?q=' + encodeURIComponent(corrected);
  a.addEventListener('click', (ev) => { ev.preventDefault(); $('q').value = corrected; search(); });
  box.replaceChildren('Did you mean ', a, '?');
  box.hidden = false;
}

function userLabel(id) {
  const opt = [...$('user').options].find((o) => o.value === String(id));
  return opt && $('user-id').value.trim() === '' ? opt.dataset.name || ('user ' + id) : 'user ' + id;
}

async function loadUserCard() {
  const user = selectedUser();
  const card = $('user-card');
  if (!user) { card.hidden = true; return; }
  try {
    const u = await api('/api/users/' + encodeURIComponent(user));
    card.replaceChildren();
    card.append(el('span', 'name', (u.name ? u.name + ' · ' : '') + 'user ' + u.user_id));
    card.append(el('span', 'stat', u.rating_count + ' ratings' + (u.mean_rating !== null ? ', mean ' + Number(u.mean_rating).toFixed(2) : '')));
    card.append(el('span', 'stat', u.has_embedding ? 'has a user vector' : 'no vector yet (cold user)'));
    const g = el('span', 'stat', 'top genres:');
    card.append(g);
    for (const t of u.top_genres) {
      const c = chip(t.genre);
      c.textContent = t.genre + ' ×' + t.ratings + ' (' + Number(t.mean_rating).toFixed(1) + '★)';
      card.append(c);
    }
    card.hidden = false;
  } catch (e) {
    card.replaceChildren(el('span', 'stat', e.status === 404 ? 'User ' + user + ' does not exist yet: rating a movie creates it.' : e.message));
    card.hidden = false;
  }
}

async function loadForYou() {
  const user = selectedUser();
  const box = $('for-you');
  if (!user) { box.hidden = true; return; }
  const p = new URLSearchParams();
  p.set('limit', '10');
  if ($('genre').value) p.set('genre', $('genre').value);
  try {
    const r = await api('/api/users/' + encodeURIComponent(user) + '/recommendations?' + p);
    const list = $('for-you-list');
    list.replaceChildren();
    impression('for-you', r);
    for (const i of r.results) {
      const li = el('li', 'pick');
      li.dataset.movieId = String(i.movie_id);
      const a = el('a', null, i.title);
      a.href = '/api/movies/' + i.movie_id;
      a.target = '_blank';
      a.addEventListener('click', () => clicked('for-you', i.movie_id));
      li.append(el('span', 'rank', String(i.rank)), a, el('span', 'year', i.year ? ' (' + i.year + ')' : ''));
      const chips = el('span', 'chips');
      i.genres.slice(0, 3).forEach((g) => chips.append(chip(g)));
      li.append(chips);
      li.title = (r.source === 'collaborative' ? 'u·v = ' : r.source === 'content' ? 'cos = ' : 'ratings: ') + i.score.toFixed(3);
      list.append(li);
    }
    if (!r.results.length) list.append(el('li', 'empty', 'No unrated movie passes the filters.'));
    $('for-you-sub').textContent = {
      collaborative: 'collaborative towers, u·v, model v' + r.model_version,
      content: 'content towers (no collaborative vector yet)',
      popularity: 'most rated (no vector yet)',
    }[r.source] + ' · unrated movies only';
    box.hidden = false;
  } catch (e) {
    box.hidden = true;
  }
}

async function rate(user, movie, stars) {
  const headers = { 'Content-Type': 'application/json' };
  clicked('personalized', movie.movie_id);
  try {
    const r = await api('/api/users/' + encodeURIComponent(user) + '/ratings', {
      method: 'POST', headers: headers, body: JSON.stringify({ movie_id: movie.movie_id, rating: stars }),
    });
    given.set(user + ':' + movie.movie_id, stars);
    toast('Rated ' + r.title + ' ' + stars.toFixed(1) + '★ · user vector updated, re-ranked');
    await Promise.all([search({ flash: movie.movie_id }), loadUserCard(), loadForYou()]);
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      $('filters').open = true;
      $('token').focus();
    }
    showError(e);
  }
}

async function loadUsers() {
  const sel = $('user');
  for (const g of [...sel.querySelectorAll('optgroup')]) g.remove();
  try {
    const me = await api('/api/me');
    if (me.role === 'user') {
      // A user key acts for its own user only: that user is the one to pick.
      const mine = el('optgroup');
      mine.label = 'Your key';
      const o = el('option', null, 'User ' + me.user_id + ' (your key)');
      o.value = String(me.user_id);
      mine.append(o);
      sel.append(mine);
      sel.value = o.value;
      return;
    }
    if (me.keys_required && me.role !== 'admin') return; // the list of users is for admin keys
  } catch (e) {
    if (e.status === 401) { showError(e); return; }
  }
  try {
    const data = await api('/api/users?limit=12');
    const tests = el('optgroup');
    tests.label = 'Test users';
    for (const u of data.test_users) {
      const o = el('option', null, u.name + ' (' + u.user_id + ')');
      o.value = String(u.user_id);
      o.dataset.name = u.name;
      tests.append(o);
    }
    const real = el('optgroup');
    real.label = 'Most active real users';
    for (const u of data.users) {
      const o = el('option', null, 'User ' + u.user_id + ' · ' + u.rating_count + ' ratings');
      o.value = String(u.user_id);
      real.append(o);
    }
    sel.append(tests, real);
  } catch (e) {
    showError(e);
  }
}

async function loadGenres() {
  try {
    const data = await api('/api/genres');
    for (const g of data.genres) {
      const o = el('option', null, g.genre + ' (' + g.movies + ')');
      o.value = g.genre;
      $('genre').append(o);
    }
  } catch (e) { /* the filter stays at "any genre" */ }
}

async function loadHealth() {
  try {
    const res = await fetch('/api/health', withKey());
    const h = await res.json();
    for (const part of ['database', 'index', 'model']) {
      const dot = document.querySelector('.dot[data-part="' + part + '"]');
      // Without an admin key the server says up or down only.
      const status = h[part] ? h[part].status : h.status;
      dot.className = 'dot ' + (status === 'up' ? 'up' : 'down');
      dot.title = h[part] ? h[part].detail : 'server ' + h.status;
    }
  } catch (e) { /* the dots stay grey */ }
}

function syncUrl() {
  const p = new URLSearchParams();
  p.set('q', $('q').value.trim());
  const u = selectedUser();
  if (u) p.set('user', u);
  history.replaceState(null, '', '?' + p);
}

async function init() {
  $('alpha').addEventListener('input', () => {
    $('alpha').dataset.touched = 'true';
    $('alpha-out').textContent = Number($('alpha').value).toFixed(2);
  });
  $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadUserCard(); loadForYou(); search(); });
  $('user').addEventListener('change', () => { $('user-id').value = ''; loadUserCard(); loadForYou(); search(); });
  $('user-id').addEventListener('change', () => { loadUserCard(); loadForYou(); search(); });
  $('genre').addEventListener('change', () => loadForYou());
  $('token').value = sessionStorage.getItem(KEY) || '';
  $('token').addEventListener('change', async () => {
    const key = $('token').value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
    showError(null);
    await loadUsers();
    loadUserCard();
    loadForYou();
    search();
  });
  for (const f of FILTERS) $(f).addEventListener('change', () => search());
  await Promise.all([loadUsers(), loadGenres(), loadHealth()]);
  const start = new URLSearchParams(location.search);
  if (start.get('q')) $('q').value = start.get('q');
  const u = start.get('user');
  if (u) {
    if ([...$('user').options].some((o) => o.value === u)) $('user').value = u;
    else $('user-id').value = u;
  }
  loadUserCard();
  loadForYou();
  if ($('q').value) search();
  else {
    $('bm25').replaceChildren(el('li', 'empty', 'Type a query, e.g. lord or king.'));
    $('personalized').replaceChildren(el('li', 'empty', 'Pick a user to see the same query re-ranked for them.'));
  }
  document.body.dataset.ready = 'true';
  setInterval(loadHealth, 15000);
}

init();
