/**
 * The run viewer in a real browser (Debian's chromium through playwright-core)
 * against the real stack: Temporal dev server, worker, executors, the local
 * API server serving /ui/. Sign-in, each page, a run going live from running
 * to completed, a failed block's error, rerun from a block with edited data,
 * cancel, schedules, and XSS attempts that must show as text and run nothing.
 * UPDATE_SCREENSHOTS=1 rewrites docs/ui/*.png.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { syncSchedules } from '../../shared/schedules/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { loadUiAssets } from '../../functions/api/ui-assets.ts';
import { launchChromium } from '../support/browser.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const API_KEY = 'ui-test-key-0123456789abcdef';
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', '..', 'docs', 'ui') : undefined;

const hundred = Array.from({ length: 100 }, (_, i) => {
  const after = i < 10 ? '' : `, after: [w${i - 10}]`;
  return `  - { id: w${i}, type: wait, duration: 1${after} }`;
}).join('\n');

const workflows: Record<string, string> = {
  'live.yaml': `
name: live
description: waits, then adds
blocks:
  - { id: gate, type: wait, duration: 3s }
  - { id: sum, type: code, after: [gate], code: "console.log('adding'); return trigger.data.a + trigger.data.b" }
`,
  'evil.yaml': `
name: evil
description: ${JSON.stringify(XSS)}
blocks:
  - id: leak
    type: code
    code: |
      console.log(${JSON.stringify(XSS)});
      return { html: ${JSON.stringify(XSS)}, big: 'x'.repeat(30000) };
  - id: boom
    type: code
    after: [leak]
    code: |
      throw new Error(${JSON.stringify(XSS)});
`,
  'chain.yaml': `
name: chain
blocks:
  - { id: first, type: code, code: "return Math.random()" }
  - { id: second, type: code, after: [first], code: "return first.data" }
  - { id: third, type: code, after: [second], code: "return { input: trigger.data }" }
`,
  'gated.yaml': `
name: gated
blocks:
  - { id: sign_off, type: approval, timeout: 1h }
  - { id: after_it, type: code, after: [sign_off], code: "return sign_off.data.comment" }
`,
  'sleepy.yaml': `
name: sleepy
blocks:
  - { id: nap, type: wait, duration: 60s }
`,
  // Schedules are namespace-wide and every test file shares one namespace: a schedule id
  // (baton-<workflow>-<id>) another file also makes (api.test.ts has ticker-hourly) would be
  // updated under that file's sync, so this one is named for this file alone.
  'metronome.yaml': `
name: metronome
triggers:
  schedules:
    - { id: hourly, cron: "0 * * * *", input: { from: schedule } }
blocks:
  - { id: tick, type: code, code: "return trigger.data" }
`,
  'leaf.yaml': `
name: leaf
blocks:
  - { id: nap, type: wait, duration: 1 }
`,
  'quick.yaml': `
name: quick
blocks:
  - { id: nap, type: wait, duration: 1 }
`,
  'shapes.yaml': `
name: shapes
description: a branch, a loop, a child run and an onError block
blocks:
  - { id: load, type: code, code: "return [1, 2, 3, 4, 5]" }
  - id: route
    type: branch
    after: [load]
    cases: [{ when: "load.data.length > 3", then: [each] }]
    else: [single]
  - { id: each, type: loop, over: "load.data", concurrency: 2, body: { type: code, code: "return item * 10" } }
  - { id: single, type: code, code: "return 'one'" }
  - { id: child, type: workflow, workflow: leaf, after: [each, single] }
  - { id: report, type: code, after: [child], code: "return { items: each.data }" }
  - { id: alert, type: code, code: "return 'paged'" }
onError: [alert]
`,
  'hundred.yaml': `
name: hundred
blocks:
${hundred}
`,
};

let stack: TestStack;
let api: Awaited<ReturnType<typeof startApiServer>>;
let dir: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function shot(name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

async function noScriptRan() {
  expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
}

const sync = async () => {
  const registry = directoryRegistry(dir);
  return syncSchedules({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry, definitions: await registry.list() });
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-ui-workflows-'));
  for (const [file, text] of Object.entries(workflows)) writeFileSync(join(dir, file), text);
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  api = await startApiServer(
    {
      client: stack.client,
      store: stack.store,
      taskQueue: stack.config.taskQueue,
      registry: directoryRegistry(dir),
      checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }),
      ui: loadUiAssets(inject('uiDir')),
    },
    { port: 0 },
  );
  await sync();
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  page = await context.newPage();
  // Any script error, CSP violation or dialog is a failure, reported at the end.
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[14]/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  if (dir) {
    rmSync(join(dir, 'metronome.yaml'), { force: true });
    if (stack) await sync().catch(() => undefined);
  }
  await api?.close();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the run viewer', () => {
  it('signs in with an API key kept in sessionStorage, never a cookie, and refuses a wrong one', async () => {
    await page.goto(`${api.url}/ui/`);
    await page.fill('#api-key', 'not-the-key-0000000000');
    await shot('sign-in');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.sign-in [role=alert]')).toContain('401');
    await page.fill('#api-key', API_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('table.workflows');
    expect(await page.evaluate(() => sessionStorage.getItem('baton.apiKey'))).toBe(API_KEY);
    expect(await page.context().cookies()).toEqual([]);
  });

  it('lists workflows with triggers, schedules (next fire, pause, resume) and descriptions as text', async () => {
    await page.waitForSelector('tr[data-workflow="evil"]');
    // The description is markup in the definition: it must show as the text it is.
    expect(await page.textContent('tr[data-workflow="evil"] .description')).toBe(XSS);
    expect(await page.locator('tr[data-workflow="evil"] img').count()).toBe(0);
    const schedule = page.locator('li[data-schedule="baton-metronome-hourly"]');
    await expect.poll(() => schedule.textContent()).toMatch(/active\s*next: \d{4}-\d\d-\d\d \d\d:00:00/);
    await shot('workflows');
    await schedule.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => schedule.textContent()).toContain('paused');
    await schedule.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => schedule.textContent()).toContain('active');
    // Trigger now starts a run at once: it shows among the workflow's last runs (visibility lags a moment).
    const lastRuns = page.locator('tr[data-workflow="metronome"] .last-runs li');
    expect(await lastRuns.count()).toBe(0);
    await schedule.getByRole('button', { name: 'Trigger now' }).click();
    await expect.poll(() => schedule.textContent()).toContain('triggered');
    await expect
      .poll(async () => {
        await page.click('.title-row button:has-text("Refresh")');
        return lastRuns.count();
      })
      .toBe(1);
    await noScriptRan();
  });

  it('starts a run with JSON input and follows it live from running to completed, with its output', async () => {
    await page.goto(`${api.url}/ui/#/workflows/live`);
    await page.fill('#start-input', '{"a": 2, "b": 40}');
    await page.click('.start-run button[type=submit]');
    await page.waitForSelector('.node[data-block="gate"]');
    expect(await page.getAttribute('.node[data-block="gate"]', 'data-status')).toBe('running');
    expect(await page.textContent('.title-row .badge')).toBe('running');
    await shot('run-live');
    await page.click('.node[data-block="sum"]');
    // The same page, without a reload, as the poll sees the run end.
    await page.waitForSelector('.node[data-block="sum"][data-status="completed"]', { timeout: 20_000 });
    expect(await page.getAttribute('.node[data-block="gate"]', 'data-status')).toBe('completed');
    await expect.poll(() => page.textContent('.title-row .badge')).toBe('completed');
    await expect.poll(() => page.textContent('.panel .json-text')).toBe('42');
    expect(await page.textContent('.panel .logs')).toContain('log  adding');
    expect(await page.textContent('.panel .attempts')).toBe('1');
    await expect.poll(() => page.textContent('.output .json-text')).toBe(JSON.stringify({ sum: 42 }, null, 2));
    await shot('run-completed');
  });

  it("shows a failed block's error, and logs, data and errors full of markup as text", async () => {
    const { runId } = (await post('/v1/workflows/evil/runs', {})) as { runId: string };
    await page.goto(`${api.url}/ui/#/runs/${runId}`);
    await page.waitForSelector('.node[data-block="boom"][data-status="failed"]', { timeout: 20_000 });
    expect(await page.textContent('.run-error-message')).toBe(XSS);
    await page.click('.node[data-block="boom"]');
    await expect.poll(() => page.textContent('.block-error-message')).toBe(XSS);
    await shot('run-failed');
    await page.click('.node[data-block="leak"]');
    await expect.poll(() => page.textContent('.panel .logs')).toContain(XSS);
    // 30,000 characters of data are cut, and all of it is a click away.
    const json = page.locator('.panel .json-text');
    await expect.poll(() => json.textContent()).toContain(JSON.stringify(XSS));
    expect((await json.textContent())!.length).toBeLessThan(21_000);
    expect(await page.textContent('.panel .json-cut')).toMatch(/Showing 19\.5 KB of 29\.\d KB/);
    await page.click('.panel .show-all');
    expect((await json.textContent())!.length).toBeGreaterThan(30_000);
    expect(await page.locator('main img, main script').count()).toBe(0);
    await noScriptRan();
  });

  it('shows markup in the URL (a workflow name, a run id) and in API errors as text', async () => {
    await page.goto(`${api.url}/ui/#/workflows/${encodeURIComponent(XSS)}`);
    await expect.poll(() => page.textContent('.workflow-title')).toBe(XSS);
    await page.goto(`${api.url}/ui/#/runs/${encodeURIComponent(XSS)}`);
    // The API's 404 names the run id it was given: the message is shown, not parsed.
    await expect.poll(() => page.textContent('.run-page [role=alert]')).toContain(XSS);
    expect(await page.locator('main img, main script').count()).toBe(0);
    await noScriptRan();
  });

  it('reruns from a block with edited trigger data: upstream blocks are reused', async () => {
    const { runId } = (await post('/v1/workflows/chain/runs', { v: 1 })) as { runId: string };
    await page.goto(`${api.url}/ui/#/runs/${runId}`);
    await page.waitForSelector('.node[data-block="third"][data-status="completed"]', { timeout: 20_000 });
    await page.click('.node[data-block="third"]');
    await page.click('.panel button:has-text("Rerun from this block")');
    expect(await page.inputValue('#rerun-from')).toBe('third');
    await expect.poll(() => page.inputValue('#rerun-input')).toBe(JSON.stringify({ v: 1 }, null, 2));
    await page.fill('#rerun-input', '{"v": 2}');
    await shot('rerun');
    await page.click('.rerun button[type=submit]');
    await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.endsWith(runId));
    await page.waitForSelector('.node[data-block="third"][data-status="completed"]', { timeout: 20_000 });
    expect(await page.textContent('.node[data-block="first"] .node-meta')).toContain('reused');
    expect(await page.textContent('.node[data-block="third"] .node-meta')).not.toContain('reused');
    await expect.poll(() => page.textContent('.output .json-text')).toContain('"v": 2');
  });

  it("draws branches, loops and child runs: a loop's item counts, the child run's link", async () => {
    const { runId } = (await post('/v1/workflows/shapes/runs', {})) as { runId: string };
    await page.goto(`${api.url}/ui/#/runs/${runId}`);
    await page.waitForSelector('.node[data-block="report"][data-status="completed"]', { timeout: 30_000 });
    expect(await page.getAttribute('.node[data-block="single"]', 'data-status')).toBe('skipped');
    expect(await page.getAttribute('.node[data-block="alert"]', 'class')).toContain('on-error');
    expect(await page.textContent('.edge-case .edge-label')).toBe('load.data.length > 3');
    await page.click('.node[data-block="each"]');
    await expect.poll(() => page.textContent('.panel .loop-items')).toBe('5 completed, 0 failed, of 5');
    expect(await page.textContent('.node[data-block="each"] .node-meta')).toContain('5/5');
    await page.click('.node[data-block="child"]');
    const child = page.locator('.panel a.child-run');
    await expect.poll(() => child.count()).toBe(1);
    await shot('run-graph');
    const childId = (await child.textContent())!;
    await child.click();
    await expect.poll(() => page.textContent('.run-id')).toBe(childId);
    await page.waitForSelector('.node[data-block="nap"][data-status="completed"]');
  });

  it('shows a waiting approval (approvers, expiry) and decides it from the side panel as the signed-in key', async () => {
    const { runId } = (await post('/v1/workflows/gated/runs', {})) as { runId: string };
    await page.goto(`${api.url}/ui/#/runs/${runId}`);
    await page.waitForSelector('.node[data-block="sign_off"][data-status="waiting"]', { timeout: 20_000 });
    await page.click('.node[data-block="sign_off"]');
    await expect.poll(() => page.textContent('.panel .approvers')).toBe('any API key');
    expect(await page.locator('.panel .approval-decision').count()).toBe(0);
    await page.fill('.panel .approval-comment', `${XSS} looks fine`);
    await page.click('.panel button.approve');
    await page.waitForSelector('.node[data-block="after_it"][data-status="completed"]', { timeout: 20_000 });
    // The key's name is the decision's by: a bare key is named key- and the start of its SHA-256.
    await expect.poll(() => page.textContent('.panel .approval-decision')).toMatch(/^approved by key-[0-9a-f]{8} at /);
    expect(await page.locator('.panel .decide').count()).toBe(0);
    await expect.poll(() => page.textContent('.panel .json-text')).toContain(JSON.stringify(`${XSS} looks fine`));
    await noScriptRan();
  });

  it('cancels a running run', async () => {
    const { runId } = (await post('/v1/workflows/sleepy/runs', {})) as { runId: string };
    await page.goto(`${api.url}/ui/#/runs/${runId}`);
    await page.waitForSelector('.node[data-block="nap"][data-status="running"]');
    await page.click('#cancel-run');
    await expect.poll(() => page.textContent('.title-row .badge'), { timeout: 20_000 }).toBe('cancelled');
    expect(await page.getAttribute('.node[data-block="nap"]', 'data-status')).toBe('cancelled');
    expect(await page.locator('#cancel-run').count()).toBe(0);
  });

  it('pages through a workflow\'s runs and filters them by status (timings reported, not asserted)', async () => {
    // BATON_UI_RUNS=1000 measures the list with a thousand runs; the default keeps the test short.
    const count = Number(process.env.BATON_UI_RUNS ?? 120);
    for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: 20 }, () => post('/v1/workflows/quick/runs', {})));
    await expect
      .poll(async () => {
        const response = await fetch(`${api.url}/v1/workflows/quick/runs?limit=200&status=completed`, { headers: { authorization: `Bearer ${API_KEY}` } });
        return ((await response.json()) as { runs: unknown[] }).runs.length;
      }, { timeout: 60_000 + count * 200, interval: 500 })
      .toBe(count);
    const started = Date.now();
    await page.goto(`${api.url}/ui/#/workflows/quick`);
    await page.waitForSelector('table.runs tbody tr');
    const firstPageMs = Date.now() - started;
    expect(await page.locator('table.runs tbody tr').count()).toBe(50);
    await shot('runs');
    const seen = new Set(await page.locator('table.runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))));
    const pageStarted = Date.now();
    await page.click('#next-page');
    await expect.poll(() => page.textContent('.page-number')).toBe('page 2');
    await page.waitForSelector('table.runs:not(.loading)');
    const nextPageMs = Date.now() - pageStarted;
    const second = await page.locator('table.runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(second).toHaveLength(50);
    expect(second.some((id) => seen.has(id))).toBe(false);
    await page.click('#next-page');
    if (count === 120) {
      await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(20);
      expect(await page.isDisabled('#next-page')).toBe(true);
    }
    await page.selectOption('#status-filter', 'failed');
    await expect.poll(() => page.textContent('main section')).toContain('No runs with status failed.');
    console.log(`ui: runs list of ${count} runs: first page ${firstPageMs} ms, next page ${nextPageMs} ms`);
  }, 60_000 + Number(process.env.BATON_UI_RUNS ?? 120) * 200);

  it('renders the run page of a 100-block workflow (time reported, not asserted)', async () => {
    const { runId } = (await post('/v1/workflows/hundred/runs', {})) as { runId: string };
    await page.goto(`${api.url}/ui/#/workflows/hundred`);
    const started = Date.now();
    // Within the loaded app, as a user clicking through to the run: plan, status, layout, paint.
    // The resource timings are cleared first (the buffer holds 250, and earlier pages polled).
    await page.evaluate((hash) => {
      performance.clearResourceTimings();
      (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
    }, `#/runs/${runId}`);
    await page.waitForSelector('.graph[data-blocks="100"] .node[data-block="w99"]');
    const renderMs = Date.now() - started;
    const layoutMs = await page.evaluate(() => performance.getEntriesByName('baton:layout').at(-1)?.duration ?? -1);
    // The two answers the graph waits for, each a query the worker answers between the run's own workflow tasks.
    const answerMs = await page.evaluate((id) => {
      const first = (path: string) => performance.getEntriesByType('resource').find((entry) => new URL(entry.name).pathname === path)?.duration ?? -1;
      return { plan: first(`/v1/runs/${id}/plan`), status: first(`/v1/runs/${id}`) };
    }, runId);
    expect(await page.locator('.node').count()).toBe(100);
    await page.waitForSelector('.node[data-block="w99"][data-status="completed"]', { timeout: 30_000 });
    await shot('run-hundred');
    expect(layoutMs).toBeGreaterThan(0);
    console.log(
      `ui: run page of 100 blocks rendered in ${renderMs} ms: the API's plan ${answerMs.plan.toFixed(0)} ms and status ${answerMs.status.toFixed(0)} ms (in parallel), dagre layout ${layoutMs.toFixed(1)} ms`,
    );
    expect(problems).toEqual([]);
  });
});
