// The editor commands and the arguments they send to the server. Pure: no `vscode` import.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** One positional argument of `lspComplete.explain|fix|docstring|tests` (INTERFACES.md). */
export interface ActionArgs {
  uri: string;
  range: Range;
}

export interface EditorCommand {
  /** The VS Code command id (distinct from the server's, which vscode-languageclient registers itself). */
  id: string;
  /** The server's `workspace/executeCommand` name, or undefined for commands handled by the extension. */
  server?: string;
  /** Whether the command acts on the active editor's selection. */
  onSelection: boolean;
  title: string;
}

export const COMMANDS: readonly EditorCommand[] = [
  { id: 'lsp-complete.explain', server: 'lspComplete.explain', onSelection: true, title: 'Explain' },
  { id: 'lsp-complete.fix', server: 'lspComplete.fix', onSelection: true, title: 'Fix' },
  { id: 'lsp-complete.docstring', server: 'lspComplete.docstring', onSelection: true, title: 'Add docstring' },
  { id: 'lsp-complete.tests', server: 'lspComplete.tests', onSelection: true, title: 'Write tests' },
  { id: 'lsp-complete.toggle', server: 'lspComplete.toggle', onSelection: false, title: 'Toggle completions' },
  { id: 'lsp-complete.usage', server: 'lspComplete.usage', onSelection: false, title: 'Show usage' },
  { id: 'lsp-complete.restart', onSelection: false, title: 'Restart server' },
  { id: 'lsp-complete.showLog', onSelection: false, title: 'Show server log' },
];

/**
 * The `arguments` of `workspace/executeCommand` for a command: `[{uri, range}]` with the selection
 * (an empty selection is the cursor; the server widens it to the enclosing block), `[]` for the others.
 * Undefined when the command needs an editor and there is none.
 */
export function commandArguments(
  command: EditorCommand,
  editor: { uri: string; selection: Range } | undefined,
): unknown[] | undefined {
  if (!command.onSelection) return [];
  if (editor === undefined) return undefined;
  const { start, end } = editor.selection;
  const ordered = start.line < end.line || (start.line === end.line && start.character <= end.character);
  const range = ordered ? { start, end } : { start: end, end: start };
  return [{ uri: editor.uri, range: { start: { ...range.start }, end: { ...range.end } } } satisfies ActionArgs];
}

/**
 * Whether completions are on after `lspComplete.toggle` answered `result` ({enabled: bool}), for the status
 * bar; undefined for anything else. The server itself tells the user (showMessage), so the extension
 * shows no message of its own for any command's result.
 */
export function toggledState(command: EditorCommand, result: unknown): boolean | undefined {
  if (command.server !== 'lspComplete.toggle' || typeof result !== 'object' || result === null) return undefined;
  const enabled = (result as Record<string, unknown>)['enabled'];
  return typeof enabled === 'boolean' ? enabled : undefined;
}
