/**
 * The report's only script, inlined into the page. It does one thing: the status filter, with
 * its state in location.hash (`#status=failed`) so a filtered view can be linked and survives a
 * reload from file://. Without JavaScript the page shows everything and hides the filter bar.
 * Kept as plain ES2017 text so what is tested is exactly what ships.
 */
export const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var FILTERS = ['all', 'failed', 'passed', 'skipped'];
  function matches(el, filter) {
    var status = el.getAttribute('data-status');
    if (filter === 'failed') return status === 'fail' || status === 'error';
    if (filter === 'passed') return status === 'pass';
    if (filter === 'skipped') return status === 'skip' || el.hasAttribute('data-has-skip');
    return true;
  }
  function current() {
    var value = new URLSearchParams(location.hash.replace(/^#/, '')).get('status');
    return FILTERS.indexOf(value) >= 0 ? value : 'all';
  }
  function apply() {
    var filter = current();
    var shown = 0;
    document.body.setAttribute('data-filter', filter);
    document.querySelectorAll('article.scenario').forEach(function (el) {
      var visible = matches(el, filter);
      el.hidden = !visible;
      if (visible) shown++;
    });
    document.querySelectorAll('tr.filterable').forEach(function (el) {
      el.hidden = !matches(el, filter);
    });
    document.querySelectorAll('nav.filters button').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-filter') === filter));
    });
    var empty = document.getElementById('empty');
    if (empty) empty.hidden = shown !== 0;
  }
  var nav = document.querySelector('nav.filters');
  if (nav) nav.hidden = false;
  document.querySelectorAll('nav.filters button').forEach(function (button) {
    button.addEventListener('click', function () {
      var filter = button.getAttribute('data-filter');
      location.hash = filter === 'all' ? '' : 'status=' + filter;
      apply();
    });
  });
  window.addEventListener('hashchange', apply);
  apply();
})();
`;
