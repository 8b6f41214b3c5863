/**
 * The report's only script, inlined into the page. It does one thing: filtering scenarios by
 * status and by text (name, file, tags, source), with the state in location.hash
 * (`#status=failed&q=nodeport`) so a filtered view can be linked and survives a reload from file://. Without JavaScript the page shows everything and hides the filter bar.
 * In-page links (a failed expectation to the hop that explains it, the summary to a scenario)
 * open the folded packet path around their target and scroll to it without touching the hash,
 * so following one keeps the filter; without JavaScript they are plain anchors.
 * Kept as plain ES2017 text so what is tested is exactly what ships.
 */
export const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var FILTERS = ['all', 'failed', 'passed', 'skipped'];
  var search = document.getElementById('search');
  function matches(el, state) {
    var status = el.getAttribute('data-status');
    var f = state.status;
    if (f === 'failed' && status !== 'fail' && status !== 'error') return false;
    if (f === 'passed' && status !== 'pass') return false;
    if (f === 'skipped' && status !== 'skip' && !el.hasAttribute('data-has-skip')) return false;
    return state.q === '' || (el.getAttribute('data-search') || '').indexOf(state.q) >= 0;
  }
  function current() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    var status = params.get('status');
    return { status: FILTERS.indexOf(status) >= 0 ? status : 'all', q: (params.get('q') || '').trim().toLowerCase() };
  }
  function hashFor(status, q) {
    var params = new URLSearchParams();
    if (status !== 'all') params.set('status', status);
    if (q !== '') params.set('q', q);
    return params.toString();
  }
  function apply() {
    var state = current();
    var shown = 0;
    document.body.setAttribute('data-filter', state.status);
    document.querySelectorAll('article.scenario').forEach(function (el) {
      var visible = matches(el, state);
      el.hidden = !visible;
      if (visible) shown++;
    });
    document.querySelectorAll('tr.filterable').forEach(function (el) {
      el.hidden = !matches(el, state);
    });
    document.querySelectorAll('nav.filters button').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-filter') === state.status));
    });
    if (search && document.activeElement !== search) search.value = state.q;
    var empty = document.getElementById('empty');
    if (empty) empty.hidden = shown !== 0;
  }
  var nav = document.querySelector('nav.filters');
  if (nav) nav.hidden = false;
  document.querySelectorAll('nav.filters button').forEach(function (button) {
    button.addEventListener('click', function () {
      location.hash = hashFor(button.getAttribute('data-filter'), current().q);
      apply();
    });
  });
  if (search) {
    search.addEventListener('input', function () {
      // Replace, not push: typing should not fill the history with one entry per key.
      location.replace('#' + hashFor(current().status, search.value.trim().toLowerCase()));
      apply();
    });
  }
  function reveal(target) {
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === 'DETAILS') el.open = true;
    }
    target.scrollIntoView({ block: 'center' });
    document.querySelectorAll('.flash').forEach(function (el) { el.classList.remove('flash'); });
    target.classList.add('flash');
  }
  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    if (!target) return;
    event.preventDefault();
    reveal(target);
  });
  window.addEventListener('hashchange', apply);
  apply();
  // Opened at an element's id (a shared link to a hop): unfold and show it.
  var opened = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (opened) reveal(opened);
})();
`;
