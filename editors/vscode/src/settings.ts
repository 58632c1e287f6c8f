// Which `lspComplete.*` settings go to the server. Pure: no `vscode` import.
//
// Only values the user set (user, workspace or folder settings) are sent, never the defaults that
// package.json declares: the server's own defaults and the user's config file stay in charge of anything
// the editor does not set (a VS Code default of budget.dailyUsd must not lower the file's cap).

/** Settings the extension itself uses to launch the server; never sent to it. */
export const EXTENSION_ONLY_PREFIX = 'server.';

export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The explicitly set value of one setting, most specific scope first. */
export function explicitValue(inspected: Inspected | undefined): unknown {
  if (inspected === undefined) return undefined;
  for (const value of [inspected.workspaceFolderValue, inspected.workspaceValue, inspected.globalValue]) {
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * `initializationOptions` for the server: the explicitly set settings nested by their dotted keys
 * (`completion.debounceMs` -> `{completion: {debounceMs: ...}}`), in the server's camelCase editor keys.
 */
export function serverSettings(
  keys: readonly string[],
  inspect: (key: string) => Inspected | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.startsWith(EXTENSION_ONLY_PREFIX)) continue;
    const value = explicitValue(inspect(key));
    if (value === undefined) continue;
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

/** The setting keys (without the `lspComplete.` prefix) that package.json contributes. */
export function contributedKeys(packageJson: unknown, section = 'lspComplete'): string[] {
  const contributes = (packageJson as { contributes?: { configuration?: unknown } } | undefined)?.contributes;
  const configs = Array.isArray(contributes?.configuration) ? contributes.configuration : [contributes?.configuration];
  const keys: string[] = [];
  for (const config of configs) {
    const properties = (config as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    for (const name of Object.keys(properties)) {
      if (name.startsWith(`${section}.`)) keys.push(name.slice(section.length + 1));
    }
  }
  return keys;
}
