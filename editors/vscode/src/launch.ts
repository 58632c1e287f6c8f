// How the server is started, and what the user is told when it cannot be. Pure apart from the injected
// file check: no `vscode` import.
import * as path from 'node:path';

export interface LaunchSettings {
  /** lspComplete.server.path: the `lsp-complete` executable. */
  path?: string;
  /** lspComplete.server.python: an interpreter that has lsp_complete installed (`python -m lsp_complete`). */
  python?: string;
}

export interface Launch {
  command: string;
  args: string[];
  /** How the user configured it, for messages. */
  origin: string;
}

export interface LaunchError {
  error: string;
}

export type IsExecutable = (file: string) => boolean;

const INSTALL_HINT =
  'Install the server (pip install lsp-complete, or pip install . in its repository) and make `lsp-complete` ' +
  'visible on PATH, or set lspComplete.server.path (the executable) or lspComplete.server.python ' +
  '(an interpreter with lsp_complete installed).';

/** Search PATH the way a shell does (first executable match). */
export function which(name: string, envPath: string | undefined, isExecutable: IsExecutable): string | undefined {
  if (name.includes('/') || name.includes(path.sep)) return isExecutable(name) ? name : undefined;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The command to run, in order: server.path, server.python, `lsp-complete` on PATH. */
export function resolveLaunch(
  settings: LaunchSettings,
  envPath: string | undefined,
  isExecutable: IsExecutable,
): Launch | LaunchError {
  const configured = clean(settings.path);
  if (configured !== undefined) {
    const found = which(configured, envPath, isExecutable);
    if (found === undefined) {
      return { error: `lsp-complete: lspComplete.server.path is "${configured}", which is not an executable file. ${INSTALL_HINT}` };
    }
    return { command: found, args: ['serve'], origin: 'lspComplete.server.path' };
  }
  const python = clean(settings.python);
  if (python !== undefined) {
    const found = which(python, envPath, isExecutable);
    if (found === undefined) {
      return { error: `lsp-complete: lspComplete.server.python is "${python}", which is not an executable file. ${INSTALL_HINT}` };
    }
    return { command: found, args: ['-m', 'lsp_complete', 'serve'], origin: 'lspComplete.server.python' };
  }
  const found = which('lsp-complete', envPath, isExecutable);
  if (found === undefined) return { error: `lsp-complete: the server \`lsp-complete\` was not found on PATH. ${INSTALL_HINT}` };
  return { command: found, args: ['serve'], origin: 'PATH' };
}

/** The one message shown when the server exits before or right after it answered `initialize`. */
export function startFailureMessage(launch: Launch, stderrTail: readonly string[]): string {
  const shown = [launch.command, ...launch.args].join(' ');
  const last = stderrTail.filter((line) => line.trim() !== '').slice(-2).join(' | ');
  const why = last ? `: ${last.length > 300 ? `${last.slice(0, 300)}...` : last}` : '';
  return (
    `lsp-complete: the server (${shown}, from ${launch.origin}) stopped while starting${why}. ` +
    'It will not be restarted automatically; fix the setting or the install, then run "lsp-complete: Restart server".'
  );
}

/** Keep the last `limit` lines of a stream (for the start failure message). */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly limit = 20) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
  }
  get(): readonly string[] {
    return this.lines;
  }
  clear(): void {
    this.lines.length = 0;
  }
}

/** A server that dies within this long of starting is broken, not unlucky: it is not restarted. */
export const HEALTHY_AFTER_MS = 10_000;
/** Restarts allowed within CRASH_WINDOW_MS for a server that had been running normally. */
export const MAX_RESTARTS = 3;
export const CRASH_WINDOW_MS = 3 * 60_000;

export type CloseVerdict =
  | { restart: true; crashes: number[] }
  | { restart: false; crashes: number[]; reason: 'start' | 'loop' };

/**
 * What to do when the server's connection closed at `now`: `runningSince` is when it finished starting
 * (undefined: it never did), `crashes` the earlier crash times. No restart for a start failure, nor for a
 * server that keeps crashing; a healthy server that crashed is restarted.
 */
export function closeVerdict(now: number, runningSince: number | undefined, crashes: readonly number[]): CloseVerdict {
  if (runningSince === undefined || now - runningSince < HEALTHY_AFTER_MS) {
    return { restart: false, crashes: [...crashes], reason: 'start' };
  }
  const recent = [...crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
  return recent.length > MAX_RESTARTS ? { restart: false, crashes: recent, reason: 'loop' } : { restart: true, crashes: recent };
}
