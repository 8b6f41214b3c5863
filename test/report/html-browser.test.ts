/**
 * Opens the HTML report from disk in real Chromium (Debian's, via playwright-core) and checks what
 * a reader relies on: content, the status filter and its hash state, folded traces, no console
 * errors, no network request. Set SVCLAB_DOCS_SCREENSHOT=1 to also refresh docs/report.png.
 */
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/render.js';
import type { RunResult } from '../../src/report/result.js';
import { launchChromium, type Browser } from './browser.js';
import { HOSTILE_NAME, hostileRun, realisticRun } from './fixtures/runs.js';
import { wrongRun } from './fixtures/sim-run.js';

const DOCS_PNG = fileURLToPath(new URL('../../docs/report.png', import.meta.url));

let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'svclab-html-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  url: string;
  requests: string[];
  problems: string[];
}

/** Writes the report to `<dir>/<name>/index.html` and opens it, recording requests, console errors, dialogs. */
async function open(result: RunResult, name: string): Promise<Opened> {
  const file = join(dir, name, 'index.html');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderHtml(result));
  const url = pathToFileURL(file).href;
  const page = await browser.context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, problems };
}

/** docs/report.png for the README: header, summary and the first scenarios (failures first) with one trace unfolded. */
async function writeDocsScreenshot(url: string): Promise<void> {
  const page = await browser.context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 1560 });
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('details.trace summary').first().click();
    await page.evaluate('window.scrollTo(0, 0)'); // the click scrolled to the trace; the picture starts at the header
    await page.screenshot({ path: DOCS_PNG });
  } finally {
    await page.close();
  }
}

const visibleNames = (page: Page) => page.locator('article.scenario:visible h3 .name').allInnerTexts();

describe('HTML report in Chromium', () => {
  it('shows the run, filters by status in location.hash, unfolds traces, and stays offline', async () => {
    const result = realisticRun();
    const { page, url, requests, problems } = await open(result, 'realistic');
    try {
      // Header: backend, seed, date, totals.
      await expect(page.locator('[data-meta="backend"]').innerText()).resolves.toBe('sim');
      await expect(page.locator('[data-meta="seed"]').innerText()).resolves.toBe('42');
      await expect(page.locator('[data-meta="started"]').innerText()).resolves.toBe('2026-11-22 07:12:03 UTC');
      await expect(page.locator('[data-total="failed"] b').innerText()).resolves.toBe('1');
      await expect(page.locator('[data-total="errors"] b').innerText()).resolves.toBe('1');

      // Every scenario is there, failures first (error, fail, then the rest in run order).
      const [passing, failing, skipping, erroring] = result.scenarios.map((s) => s.name);
      const names = [erroring, failing, passing, skipping];
      expect(await visibleNames(page)).toEqual(names);

      // The failing expectation with its numbers and location.
      const failed = page.locator('li.assertion.fail');
      await expect(failed.count()).resolves.toBe(1);
      const failedText = await failed.innerText();
      expect(failedText).toContain('chi-square 36.29 (df 2), p = 1.31e-8 < alpha 0.001');
      expect(failedText).toContain('n=300: answers are not weighted');
      expect(failedText).toContain('scenarios/wrong/weighted.yaml:23:7');
      expect(failedText).toMatch(/deploy-echo-5c689d5454-7qjvb\s+75\s+104/);

      // The chart: one bar per pod, with tooltips and an accessible name.
      const chart = page.locator('article.scenario', { hasText: 'deliberately wrong' }).locator('svg.chart');
      await expect(chart.getAttribute('role')).resolves.toBe('img');
      expect(await chart.getAttribute('aria-label')).toContain('deploy-echo-5c689d5454-7qjvb 104 (expected 75)');
      await expect(chart.locator('rect.bar').count()).resolves.toBe(3);
      expect(await chart.locator('g.row title').first().textContent()).toContain('of 300');

      // Filter "failed": only the failing and the errored scenario stay, the state is in the hash.
      await page.click('nav.filters button[data-filter="failed"]');
      expect(new URL(page.url()).hash).toBe('#status=failed');
      expect(await visibleNames(page)).toEqual(['loadbalancer-three-ports', 'kans-nodeport-weighted (deliberately wrong)']);
      await expect(page.locator('#s1-kans-nodeport').isVisible()).resolves.toBe(false);
      await expect(page.locator('nav.filters button[data-filter="failed"]').getAttribute('aria-pressed')).resolves.toBe('true');

      // The hash survives a reload.
      await page.reload({ waitUntil: 'load' });
      expect(await visibleNames(page)).toEqual(['loadbalancer-three-ports', 'kans-nodeport-weighted (deliberately wrong)']);

      await page.click('nav.filters button[data-filter="skipped"]');
      expect(await visibleNames(page)).toEqual(['loadbalancer-three-ports', 'session-affinity-timeout']);
      await page.click('nav.filters button[data-filter="passed"]');
      expect(await visibleNames(page)).toEqual(['kans-nodeport', 'session-affinity-timeout']);
      await page.click('nav.filters button[data-filter="all"]');
      expect(await visibleNames(page)).toEqual(names);

      // Text filter: combines with the status filter, also kept in the hash.
      await page.fill('#search', 'Affinity');
      expect(await visibleNames(page)).toEqual(['session-affinity-timeout']);
      expect(new URL(page.url()).hash).toBe('#q=affinity');
      await page.click('nav.filters button[data-filter="failed"]');
      expect(await visibleNames(page)).toEqual([]);
      await expect(page.locator('#empty').isVisible()).resolves.toBe(true);
      expect(new URL(page.url()).hash).toBe('#status=failed&q=affinity');
      await page.fill('#search', 'scenarios/wrong');
      expect(await visibleNames(page)).toEqual(['kans-nodeport-weighted (deliberately wrong)']);
      await page.fill('#search', '');
      await page.click('nav.filters button[data-filter="all"]');
      expect(await visibleNames(page)).toEqual(names);
      expect(new URL(page.url()).hash).toBe('');

      // Traces are folded until clicked.
      const trace = page.locator('#s1-kans-nodeport details.trace').first();
      const hop = trace.locator('ol.hops li', { hasText: 'DNAT to 10.10.1.2:8080' });
      await expect(trace.getAttribute('open')).resolves.toBeNull();
      await expect(hop.isVisible()).resolves.toBe(false);
      await trace.locator('summary').click();
      await expect(trace.getAttribute('open')).resolves.toBe('');
      await expect(hop.isVisible()).resolves.toBe(true);
      expect(await hop.innerText()).toContain('KUBE-SEP-TBW2IYJKUCAC7GB3');

      // The embedded data is the RunResult.
      const data = JSON.parse((await page.locator('#svclab-data').textContent()) ?? 'null');
      expect(data).toEqual(JSON.parse(JSON.stringify(result)));

      const shot = join(dir, 'realistic', 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env.SVCLAB_DOCS_SCREENSHOT) await writeDocsScreenshot(url);

      expect(problems).toEqual([]);
      expect(requests).toEqual([url, url]); // the load and the reload, nothing else
    } finally {
      await page.close();
    }
  });

  it('opens the packet path at the hop that explains a failed expectation, keeping the filter', async () => {
    const { page, url, requests, problems } = await open(wrongRun(), 'explained');
    try {
      // Failures first: the failing scenario above the passing one, its failed steps above the passed one.
      expect(await visibleNames(page)).toEqual(['wrong-expectations', 'kans-nodeport']);
      const steps = await page.locator('article.scenario').first().locator('li.step .step-title').allInnerTexts();
      expect(steps.map((t) => t.split('.')[0])).toEqual(['2', '3', '1']);

      await page.click('nav.filters button[data-filter="failed"]');
      const source = page.locator('li.assertion.fail[data-kind="sourceSeen"]');
      const link = source.locator('a.to-hop');
      const hopId = (await link.getAttribute('href'))!.slice(1);
      const hop = page.locator(`[id="${hopId}"]`);
      await expect(hop.isVisible()).resolves.toBe(false); // folded until asked for
      await link.click();
      await expect(hop.isVisible()).resolves.toBe(true);
      expect(await hop.innerText()).toMatch(/MASQUERADE source 172\.18\.0\.100 -> 172\.18\.0\.3[\s\S]*sourceSeen: the source address was rewritten here/);
      // String expressions: this test file is type-checked without the DOM library.
      const el = `document.getElementById(${JSON.stringify(hopId)})`;
      await expect(page.evaluate(`${el}.closest('details').open`)).resolves.toBe(true);
      await expect(page.evaluate(`${el}.classList.contains('flash')`)).resolves.toBe(true);
      await expect(page.evaluate(`(() => { const r = ${el}.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`)).resolves.toBe(true);
      // The filter survives following the link.
      expect(new URL(page.url()).hash).toBe('#status=failed');
      expect(await visibleNames(page)).toEqual(['wrong-expectations']);

      // The DROP that ate the requests of step 2, from its failed outcome.
      await page.locator('li.step', { hasText: 'the pod-less node drops' }).locator('li.assertion.fail[data-kind="outcome"] a.to-hop').click();
      const drop = page.locator('li.explains', { hasText: 'verdict DROP' });
      await expect(drop.isVisible()).resolves.toBe(true);
      expect(await drop.innerText()).toContain('outcome: the request was dropped here');

      // Opened from a shared link to the hop itself: unfolded and shown.
      const page2 = await browser.context.newPage();
      try {
        await page2.goto(`${url}#${hopId}`, { waitUntil: 'load' });
        await expect(page2.locator(`[id="${hopId}"]`).isVisible()).resolves.toBe(true);
        expect(await visibleNames(page2)).toEqual(['wrong-expectations', 'kans-nodeport']);
      } finally {
        await page2.close();
      }
      expect(problems).toEqual([]);
      expect(requests.filter((r) => r !== url && !r.startsWith(`${url}#`))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows hostile scenario text as text and runs none of it', async () => {
    const { page, url, requests, problems } = await open(hostileRun(), 'hostile');
    try {
      await expect(page.locator('article.scenario h3 .name').innerText()).resolves.toBe(HOSTILE_NAME);
      await expect(page.locator('article.scenario script, article.scenario img, article.scenario iframe').count()).resolves.toBe(0);
      await page.locator('details.trace summary').first().click();
      expect(await page.locator('details.trace').first().innerText()).toContain('</details><script>alert(3)</script>');
      const data = JSON.parse((await page.locator('#svclab-data').textContent()) ?? 'null');
      expect(data.scenarios[0].name).toBe(HOSTILE_NAME);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await page.close();
    }
  });

  it('follows the dark colour scheme', async () => {
    const { page, problems } = await open(realisticRun(), 'dark');
    try {
      // A string expression: this test file is type-checked without the DOM library.
      const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      await page.emulateMedia({ colorScheme: 'light' });
      await expect(background()).resolves.toBe('rgb(247, 248, 250)');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect(background()).resolves.toBe('rgb(18, 21, 27)');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
