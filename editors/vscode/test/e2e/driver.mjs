// End-to-end driver: real VS Code (code-server) in Debian's headless Chromium through playwright-core.
// Started by tests/editors/test_vscode_e2e.py, which owns code-server, the fake provider and the temp
// dirs. Usage: node driver.mjs SPEC.json; SPEC holds {url, chromium, file, fileName, shots, result,
// firstLine, ghost, typed, samples, action?, explain?, toggle?, broken?}. Every wait is bounded; the result (or the error
// and the step it happened in) is written to SPEC.result, screenshots to SPEC.shots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const started = Date.now();
const result = { steps: [], latenciesMs: [], screenshots: [] };
let step = 'start';
let shot = 0;

function log(message) {
  const line = `${((Date.now() - started) / 1000).toFixed(1)}s ${message}`;
  result.steps.push(line);
  console.log(line);
}

async function screenshot(page, name) {
  const file = path.join(spec.shots, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  result.screenshots.push(file);
}

/** Poll `check` until it returns a truthy value or `ms` pass (no fixed sleeps). */
async function until(what, ms, check) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const GHOST = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text';

/** Editor text as shown (Monaco renders spaces as no-break spaces). */
function visible(text) {
  return (text ?? '').replace(/\u00a0/g, ' ');
}

async function ghostText(page) {
  return visible(await page.evaluate((selector) => Array.from(document.querySelectorAll(selector)).map((e) => e.textContent ?? '').join(''), GHOST));
}

/** The status bar item of the extension (its aria label is the text without icons). */
async function statusText(page) {
  return page.evaluate(() => {
    const item = Array.from(document.querySelectorAll('.statusbar-item')).find((e) => /lsp-complete|·/.test(e.getAttribute('aria-label') ?? '') && e.id.includes('lspComplete'));
    return item ? (item.getAttribute('aria-label') ?? '') : undefined;
  });
}

async function notifications(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('.notification-toast .notification-list-item-message')).map((e) => e.textContent ?? ''));
}

async function save(page, expected) {
  await page.keyboard.press('Control+S');
  return until(`the saved file to contain ${JSON.stringify(expected)}`, 10_000, () => {
    const text = fs.readFileSync(spec.file, 'utf8');
    return text.includes(expected) ? text : undefined;
  });
}

async function palette(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title.split(': ').pop() }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Type `typed` on the current line and measure last keystroke -> ghost text `ghost` on screen. */
async function typeAndMeasure(page, typed) {
  await page.keyboard.type(typed.slice(0, -1));
  const t0 = Date.now();
  await page.keyboard.press(typed.slice(-1));
  await page.waitForFunction(
    ([selector, want]) => Array.from(document.querySelectorAll(selector)).map((e) => e.textContent ?? '').join('').replace(/\u00a0/g, ' ').trim() === want,
    [GHOST, spec.ghost],
    { polling: 'raf', timeout: 15_000 },
  );
  return Date.now() - t0;
}

const browser = await chromium.launch({
  executablePath: spec.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: 60_000,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(30_000);

  step = 'load the workbench';
  await page.goto(spec.url, { timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  log('workbench loaded');

  step = 'open the file from the Explorer';
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${spec.fileName}"]`).first().dblclick({ timeout: 30_000 });
  const editor = page.locator('.editor-group-container .editor-instance .monaco-editor .view-lines').first();
  await until('the file in the editor', 30_000, async () => visible(await editor.textContent()).includes(spec.firstLine));
  log('editor open');

  step = 'wait for the server (status bar leaves "starting")';
  const ready = await until('the lsp-complete status bar item to say the server runs', 45_000, async () => {
    const text = await statusText(page);
    return text !== undefined && !text.includes('starting') ? text : undefined;
  });
  log(`status bar: ${ready}`);
  await screenshot(page, 'ready');

  step = 'measure keystroke -> ghost text';
  await editor.click();
  await page.keyboard.press('Control+End');
  for (let i = 1; i <= spec.samples; i++) {
    await page.keyboard.press('Enter');
    const ms = await typeAndMeasure(page, `v${i} = `);
    result.latenciesMs.push(ms);
    log(`sample ${i}: ghost text after ${ms} ms`);
    if (i === 1) await screenshot(page, 'ghost-sample');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
  }

  step = 'type, see ghost text, accept it with Tab';
  await page.keyboard.press('Enter');
  const ms = await typeAndMeasure(page, spec.typed);
  result.latenciesMs.push(ms);
  result.ghost = await ghostText(page);
  log(`ghost text ${JSON.stringify(result.ghost)} after ${ms} ms`);
  await screenshot(page, 'ghost');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  result.afterAccept = await save(page, `${spec.typed}${spec.ghost}`);
  result.statusAfter = await until('a status update after the completion', 10_000, async () => {
    const text = await statusText(page);
    return text !== undefined && text.includes('·') ? text : undefined;
  });
  log(`accepted and saved; status bar: ${result.statusAfter}`);
  await screenshot(page, 'accepted');

  if (spec.action) {
    step = `code action "${spec.action.title}"`;
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Control+Period');
    const row = page.locator('.action-widget .monaco-list-row', { hasText: spec.action.title }).first();
    await row.waitFor({ timeout: 20_000 });
    result.actionRows = await page.locator('.action-widget .monaco-list-row').allTextContents();
    await screenshot(page, 'code-actions');
    // The widget's pointer block swallows clicks in headless mode: walk the list with the keyboard.
    const rows = result.actionRows.length;
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i <= rows && !((await focused.textContent().catch(() => '')) ?? '').includes(spec.action.title); i++) {
      await page.keyboard.press('ArrowDown');
    }
    if (!((await focused.textContent()) ?? '').includes(spec.action.title)) throw new Error(`no "${spec.action.title}" row to pick`);
    await page.keyboard.press('Enter');
    await until(`the action's edit in the editor`, 60_000, async () => visible(await editor.textContent()).includes(spec.action.marker));
    result.afterAction = await save(page, spec.action.marker);
    log(`code action applied and saved`);
    await screenshot(page, 'action-applied');
  }

  if (spec.explain) {
    step = 'command palette: lsp-complete: Explain (the selection command path: {uri, range})';
    await page.keyboard.press('Control+Home');
    await palette(page, 'lsp-complete: Explain');
    const shown = page.locator('.editor-group-container .editor-instance .monaco-editor .view-lines', { hasText: spec.explain.marker });
    await shown.first().waitFor({ timeout: 60_000 });
    result.explanationTab = (await page.locator('.tab.active').first().textContent())?.trim();
    log(`explanation shown in ${JSON.stringify(result.explanationTab)}`);
    await screenshot(page, 'explanation');
  }

  if (spec.toggle) {
    step = 'command palette: lsp-complete: Toggle completions';
    await palette(page, 'lsp-complete: Toggle completions');
    result.statusPaused = await until('the status bar to say paused', 10_000, async () => {
      const text = await statusText(page);
      return text?.includes('paused') ? text : undefined;
    });
    result.toggleMessages = await until('the server to say completions are paused', 10_000, async () => {
      const all = await notifications(page);
      return all.some((m) => m.includes('paused')) ? all : undefined;
    });
    log(`toggled: status bar ${JSON.stringify(result.statusPaused.split('\n')[0])}`);
    await screenshot(page, 'paused');
  }

  if (spec.broken) {
    step = 'a server that crashes at start gives one error, no restart loop';
    // Through the Settings editor as a user would (code-server does not notice settings.json changing on disk).
    await palette(page, 'Preferences: Open Settings (UI)');
    await page.locator('.settings-editor .settings-header .suggest-input-container').first().waitFor({ timeout: 15_000 });
    await page.keyboard.type('lspComplete.server.path');
    // A machine-scoped setting: in code-server it lives in the Remote (machine) settings tab.
    await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
    const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'executable' }).locator('input').first();
    await input.waitFor({ timeout: 15_000 });
    await screenshot(page, 'settings-ui');
    await input.fill(spec.broken.path);
    await input.press('Tab');
    log('Settings editor: lspComplete.server.path now names a server that crashes at start');
    const shown = await until('the start failure notification', 30_000, async () => {
      const all = await notifications(page);
      return all.some((m) => m.includes('stopped while starting')) ? all : undefined;
    });
    const attempts = () => (fs.existsSync(spec.broken.attempts) ? fs.readFileSync(spec.broken.attempts, 'utf8').split('\n').filter(Boolean).length : 0);
    // A restart loop would start the broken server again within milliseconds; watch for a few seconds.
    const watchUntil = Date.now() + spec.broken.watchMs;
    while (Date.now() < watchUntil) await new Promise((resolve) => setTimeout(resolve, 100));
    result.broken = { notifications: await notifications(page), attempts: attempts(), firstShown: shown };
    result.broken.status = await statusText(page);
    log(`broken server: ${result.broken.attempts} start(s), notifications ${JSON.stringify(result.broken.notifications)}`);
    await screenshot(page, 'broken-server');

    step = 'fix the setting: the server restarts, still paused, and completes again once resumed';
    await input.fill(spec.broken.goodPath);
    await input.press('Tab');
    result.recovered = await until('the restarted server, paused as the user left it', 30_000, async () => {
      const text = await statusText(page);
      return text?.includes('paused') && !text.includes('starting') ? text : undefined;
    });
    await palette(page, 'lsp-complete: Toggle completions');
    await until('the status bar to leave paused', 10_000, async () => !((await statusText(page)) ?? 'paused').includes('paused'));
    await page.locator('.tab', { hasText: spec.fileName }).first().click();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    result.recoveredGhostMs = await typeAndMeasure(page, 'after_restart = ');
    log(`after the fix: ${JSON.stringify(result.recovered.split('\n')[0])}; ghost text again after ${result.recoveredGhostMs} ms`);
    await screenshot(page, 'recovered');
    await page.keyboard.press('Escape');
  }
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = `${step}: ${error instanceof Error ? error.message : String(error)}`;
  log(`FAILED in step "${step}": ${result.error}`);
  const pages = browser.contexts().flatMap((c) => c.pages());
  if (pages[0]) {
    await screenshot(pages[0], 'failure');
    result.statusItems = await pages[0].evaluate(() => Array.from(document.querySelectorAll('.statusbar-item')).map((e) => `${e.id}: ${e.getAttribute('aria-label')}`)).catch(() => []);
    result.notifications = await notifications(pages[0]).catch(() => []);
  }
} finally {
  fs.writeFileSync(spec.result, JSON.stringify(result, null, 2));
  await browser.close().catch(() => undefined);
}
process.exit(result.ok ? 0 : 1);
