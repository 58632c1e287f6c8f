import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { contributedKeys, explicitValue, type Inspected, serverSettings } from '../../src/settings';

const packageJson: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

test('explicit value: folder over workspace over user; defaults never count', () => {
  assert.equal(explicitValue({ globalValue: 1, workspaceValue: 2, workspaceFolderValue: 3 }), 3);
  assert.equal(explicitValue({ globalValue: 1, workspaceValue: 2 }), 2);
  assert.equal(explicitValue({ globalValue: false }), false);
  assert.equal(explicitValue({ defaultValue: 75 } as Inspected), undefined);
  assert.equal(explicitValue(undefined), undefined);
});

test('only set values are sent, nested by their dotted keys, launch settings never', () => {
  const set: Record<string, Inspected> = {
    'completion.debounceMs': { globalValue: 40 },
    'completion.enabled': { workspaceValue: false },
    'budget.dailyUsd': { globalValue: 0.5 },
    exclude: { workspaceFolderValue: ['**/private/**'] },
    tiers: { globalValue: { fast: ['local'] } },
    'server.path': { globalValue: '/usr/bin/lsp-complete' },
    'server.python': { globalValue: 'python3' },
  };
  const keys = contributedKeys(packageJson);
  assert.deepEqual(serverSettings(keys, (key) => set[key]), {
    completion: { debounceMs: 40, enabled: false },
    budget: { dailyUsd: 0.5 },
    exclude: ['**/private/**'],
    tiers: { fast: ['local'] },
  });
});

test('nothing set: nothing sent (the server and the config file keep their values)', () => {
  assert.deepEqual(serverSettings(contributedKeys(packageJson), () => ({})), {});
});

test('contributed keys come from package.json, without the section prefix', () => {
  const keys = contributedKeys(packageJson);
  assert.ok(keys.includes('completion.debounceMs'));
  assert.ok(keys.includes('server.path'));
  assert.ok(keys.every((k) => !k.startsWith('lspComplete.')));
  assert.ok(keys.every((k) => !/api_?key/i.test(k)), 'keys are never VS Code settings');
  assert.deepEqual(contributedKeys({ contributes: { configuration: [{ properties: { 'other.x': {}, 'lspComplete.a': {} } }] } }), ['a']);
  assert.deepEqual(contributedKeys(undefined), []);
});
