import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CRASH_WINDOW_MS, closeVerdict, HEALTHY_AFTER_MS, LineTail, resolveLaunch, startFailureMessage, which } from '../../src/launch';

const files = new Set(['/venv/bin/lsp-complete', '/usr/bin/python3', '/opt/lsp/bin/lsp-complete']);
const isExe = (f: string): boolean => files.has(f);
const PATH = '/usr/local/bin:/venv/bin:/usr/bin';

test('default: lsp-complete found on PATH, first match', () => {
  assert.deepEqual(resolveLaunch({}, PATH, isExe), { command: '/venv/bin/lsp-complete', args: ['serve'], origin: 'PATH' });
  assert.equal(which('lsp-complete', '/opt/lsp/bin:/venv/bin', isExe), '/opt/lsp/bin/lsp-complete');
});

test('server.path wins over python and PATH; blank settings are ignored', () => {
  assert.deepEqual(resolveLaunch({ path: '/opt/lsp/bin/lsp-complete', python: 'python3' }, PATH, isExe), {
    command: '/opt/lsp/bin/lsp-complete', args: ['serve'], origin: 'lspComplete.server.path',
  });
  assert.deepEqual(resolveLaunch({ path: '  ', python: '' }, PATH, isExe), { command: '/venv/bin/lsp-complete', args: ['serve'], origin: 'PATH' });
});

test('server.python runs python -m lsp_complete, a bare name looked up on PATH', () => {
  assert.deepEqual(resolveLaunch({ python: 'python3' }, PATH, isExe), {
    command: '/usr/bin/python3', args: ['-m', 'lsp_complete', 'serve'], origin: 'lspComplete.server.python',
  });
});

test('missing binaries give one actionable message naming the setting', () => {
  const none = resolveLaunch({}, '/usr/local/bin', isExe);
  assert.ok('error' in none);
  assert.match(none.error, /not found on PATH/);
  assert.match(none.error, /lspComplete\.server\.path/);
  assert.match(none.error, /pip install/);
  const badPath = resolveLaunch({ path: '/nope/lsp-complete' }, PATH, isExe);
  assert.ok('error' in badPath);
  assert.match(badPath.error, /lspComplete\.server\.path is "\/nope\/lsp-complete"/);
  const badPython = resolveLaunch({ python: 'python9' }, PATH, isExe);
  assert.ok('error' in badPython);
  assert.match(badPython.error, /lspComplete\.server\.python is "python9"/);
  assert.ok('error' in resolveLaunch({}, undefined, isExe));
});

test('start failure message quotes the last stderr lines and says it will not loop', () => {
  const launch = { command: '/usr/bin/python3', args: ['-m', 'lsp_complete', 'serve'], origin: 'lspComplete.server.python' };
  const message = startFailureMessage(launch, ['Traceback (most recent call last):', '', "ModuleNotFoundError: No module named 'lsp_complete'", '']);
  assert.match(message, /python3 -m lsp_complete serve, from lspComplete\.server\.python/);
  assert.match(message, /Traceback \(most recent call last\): \| ModuleNotFoundError: No module named 'lsp_complete'/);
  assert.match(message, /will not be restarted automatically/);
  assert.doesNotMatch(startFailureMessage(launch, []), /: \./);
  assert.ok(startFailureMessage(launch, ['x'.repeat(1000)]).length < 600);
});

test('line tail keeps the last lines', () => {
  const tail = new LineTail(2);
  for (const line of ['a', 'b', 'c']) tail.push(line);
  assert.deepEqual(tail.get(), ['b', 'c']);
  tail.clear();
  assert.deepEqual(tail.get(), []);
});

test('a server that never finished starting, or died right after, is not restarted', () => {
  assert.deepEqual(closeVerdict(5_000, undefined, []), { restart: false, crashes: [], reason: 'start' });
  assert.deepEqual(closeVerdict(5_000, 1_000, []), { restart: false, crashes: [], reason: 'start' });
  assert.equal(closeVerdict(1_000 + HEALTHY_AFTER_MS - 1, 1_000, []).restart, false);
});

test('a healthy server that crashed is restarted, at most 3 times in the window, then left alone', () => {
  let crashes: number[] = [];
  const start = 1_000_000;
  for (let i = 0; i < 3; i++) {
    const now = start + i * 20_000;
    const verdict = closeVerdict(now, now - HEALTHY_AFTER_MS, crashes);
    assert.equal(verdict.restart, true, `crash ${i + 1}`);
    crashes = verdict.crashes;
  }
  const fourth = closeVerdict(start + 60_000, start + 60_000 - HEALTHY_AFTER_MS, crashes);
  assert.deepEqual(fourth, { restart: false, crashes: [...crashes, start + 60_000], reason: 'loop' });
  // Crashes older than the window are forgotten.
  const later = start + 60_000 + CRASH_WINDOW_MS;
  assert.deepEqual(closeVerdict(later, later - HEALTHY_AFTER_MS, fourth.crashes), { restart: true, crashes: [later] });
});
