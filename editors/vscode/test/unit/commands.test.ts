import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS, commandArguments, type EditorCommand, toggledState } from '../../src/commands';

function command(id: string): EditorCommand {
  const found = COMMANDS.find((c) => c.id === id);
  assert.ok(found, id);
  return found;
}

const uri = 'file:///work/a.py';

test('the six server commands map to the lspComplete.* names of INTERFACES.md', () => {
  const mapped = COMMANDS.filter((c) => c.server !== undefined).map((c) => [c.id, c.server]);
  assert.deepEqual(mapped, [
    ['lsp-complete.explain', 'lspComplete.explain'],
    ['lsp-complete.fix', 'lspComplete.fix'],
    ['lsp-complete.docstring', 'lspComplete.docstring'],
    ['lsp-complete.tests', 'lspComplete.tests'],
    ['lsp-complete.toggle', 'lspComplete.toggle'],
    ['lsp-complete.usage', 'lspComplete.usage'],
  ]);
  // vscode-languageclient registers the server's own command names; ours must not collide with them.
  for (const c of COMMANDS) assert.ok(!c.id.startsWith('lspComplete.'), c.id);
});

test('selection commands send one {uri, range} object', () => {
  const selection = { start: { line: 2, character: 4 }, end: { line: 5, character: 0 } };
  assert.deepEqual(commandArguments(command('lsp-complete.fix'), { uri, selection }), [{ uri, range: selection }]);
});

test('a selection made backwards is sent start before end', () => {
  const selection = { start: { line: 5, character: 1 }, end: { line: 2, character: 4 } };
  assert.deepEqual(commandArguments(command('lsp-complete.explain'), { uri, selection }), [
    { uri, range: { start: { line: 2, character: 4 }, end: { line: 5, character: 1 } } },
  ]);
  const sameLine = { start: { line: 3, character: 9 }, end: { line: 3, character: 2 } };
  assert.deepEqual(commandArguments(command('lsp-complete.tests'), { uri, selection: sameLine }), [
    { uri, range: { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } } },
  ]);
});

test('an empty selection is the cursor (the server widens it to the enclosing block)', () => {
  const cursor = { start: { line: 7, character: 3 }, end: { line: 7, character: 3 } };
  assert.deepEqual(commandArguments(command('lsp-complete.docstring'), { uri, selection: cursor }), [{ uri, range: cursor }]);
});

test('selection commands need an editor; toggle and usage take no arguments', () => {
  assert.equal(commandArguments(command('lsp-complete.fix'), undefined), undefined);
  assert.deepEqual(commandArguments(command('lsp-complete.toggle'), undefined), []);
  assert.deepEqual(commandArguments(command('lsp-complete.usage'), { uri, selection: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }), []);
});

test('toggle answers update the paused state; other answers do not', () => {
  assert.equal(toggledState(command('lsp-complete.toggle'), { enabled: false }), false);
  assert.equal(toggledState(command('lsp-complete.toggle'), { enabled: true }), true);
  assert.equal(toggledState(command('lsp-complete.toggle'), { enabled: 'no' }), undefined);
  assert.equal(toggledState(command('lsp-complete.toggle'), null), undefined);
  assert.equal(toggledState(command('lsp-complete.usage'), { enabled: true }), undefined);
  assert.equal(toggledState(command('lsp-complete.fix'), { ok: true, message: 'applied', applied: true }), undefined);
});
