import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLatency, formatStatus, formatUsd, parseStatus } from '../../src/status';

const full = {
  tier: 'fast', provider: 'codestral', model: 'codestral-latest', latencyMs: 182.4,
  degraded: false, paused: false, spentTodayUsd: 0.0123, dailyCapUsd: 1,
};

test('status text: icon, tier·provider, latency, spend', () => {
  const view = formatStatus(parseStatus(full));
  assert.equal(view.text, '$(sparkle) fast·codestral 182 ms $0.012');
  assert.equal(view.warning, false);
  assert.match(view.tooltip, /Provider: codestral \(codestral-latest\)/);
  assert.match(view.tooltip, /Spent today: \$0\.012 of \$1\.00/);
  assert.match(view.tooltip, /Click for usage/);
});

test('degraded shows a warning icon and background; paused wins over degraded', () => {
  const degraded = formatStatus(parseStatus({ ...full, degraded: true, provider: 'local' }));
  assert.equal(degraded.text, '$(warning) fast·local 182 ms $0.012');
  assert.equal(degraded.warning, true);
  assert.match(degraded.tooltip, /Degraded/);
  const paused = formatStatus(parseStatus({ ...full, degraded: true, paused: true }));
  assert.equal(paused.text, '$(debug-pause) paused fast·codestral 182 ms $0.012');
  assert.equal(paused.warning, false);
});

test('before any completion the item says what it is', () => {
  assert.equal(formatStatus(undefined).text, '$(sparkle) lsp-complete');
});

const malformed: [string, unknown, string][] = [
  ['null params', null, '$(sparkle) lsp-complete'],
  ['a string', 'boom', '$(sparkle) lsp-complete'],
  ['wrong types dropped', { tier: 3, provider: ['x'], latencyMs: 'fast', spentTodayUsd: -1, degraded: 'yes' }, '$(sparkle) lsp-complete'],
  ['NaN latency dropped', { tier: 'fast', latencyMs: Number.NaN }, '$(sparkle) fast'],
  ['provider only', { provider: 'local', latencyMs: 1500 }, '$(sparkle) local 1.5 s'],
];
for (const [name, params, text] of malformed) {
  test(`malformed status: ${name}`, () => assert.equal(formatStatus(parseStatus(params)).text, text));
}

test('no daily cap is said so', () => {
  assert.match(formatStatus(parseStatus({ ...full, dailyCapUsd: null })).tooltip, /\$0\.012 \(no cap\)/);
});

const usd: [number, string][] = [[0, '$0'], [0.0004, '$0.0004'], [0.012, '$0.012'], [0.5, '$0.500'], [1.25, '$1.25'], [12, '$12.00']];
for (const [value, text] of usd) test(`formatUsd(${value})`, () => assert.equal(formatUsd(value), text));

const ms: [number, string][] = [[0, '0 ms'], [99.6, '100 ms'], [999, '999 ms'], [1000, '1.0 s'], [2345, '2.3 s']];
for (const [value, text] of ms) test(`formatLatency(${value})`, () => assert.equal(formatLatency(value), text));
