// VS Code glue: the language client, the status bar and the commands. The logic lives in the pure
// modules next to this one (launch, settings, status, commands), which the unit tests cover.
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandlerResult,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
} from 'vscode-languageclient/node';
import { COMMANDS, commandArguments, type EditorCommand, toggledState } from './commands';
import { closeVerdict, type Launch, LineTail, resolveLaunch, startFailureMessage } from './launch';
import { contributedKeys, serverSettings } from './settings';
import { formatStatus, parseStatus, type ServerStatus } from './status';

const SECTION = 'lspComplete';
const STATUS_NOTIFICATION = '$/lspComplete/status';

/** vscode-languageclient forces its own notifications on start failures; we show one message instead. */
class QuietClient extends LanguageClient {
  public override error(message: string, data?: unknown, _showNotification?: boolean | 'force'): void {
    super.error(message, data, false);
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

class Server implements vscode.Disposable {
  private client: QuietClient | undefined;
  private launch: Launch | undefined;
  private readonly tail = new LineTail();
  private runningSince: number | undefined;
  private crashes: number[] = [];
  private failureShown = false;
  private stopping = false;
  private queue: Promise<void> = Promise.resolve();
  /** Resolves when the current server's stderr ends, so a start failure can quote its last words. */
  private stderrEnded: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly statusItem: vscode.StatusBarItem,
    private readonly keys: readonly string[],
  ) {}

  /** Serialise start/stop so a burst of setting changes cannot run two servers. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work, work);
    return this.queue;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(reason: string): Promise<void> {
    return this.enqueue(async () => {
      this.log.info(`restarting the server: ${reason}`);
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  private fail(message: string): void {
    this.log.error(message);
    this.showStatus(undefined, true);
    if (this.failureShown) return;
    this.failureShown = true;
    void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log').then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'lspComplete.server');
      if (choice === 'Show Log') this.log.show();
    });
  }

  private lastStatus: ServerStatus | undefined;
  /** The user's Toggle completions choice; a restarted server (which starts enabled) gets it back. */
  private paused = false;

  /** After Toggle completions: show paused/resumed at once, before the next completion's status. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.lastStatus = { ...(this.lastStatus ?? {}), paused };
    this.render();
  }

  private async restorePause(client: LanguageClient): Promise<void> {
    if (!this.paused) return;
    const toggle = COMMANDS.find((c) => c.server === 'lspComplete.toggle');
    if (toggle === undefined) return;
    const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: 'lspComplete.toggle', arguments: [] });
    this.log.info(`completions were paused before the restart: ${JSON.stringify(result)}`);
    this.setPaused(toggledState(toggle, result) === false);
  }

  private showStatus(params: unknown, failed = false): void {
    if (failed) {
      this.statusItem.text = '$(error) lsp-complete';
      this.statusItem.tooltip = 'lsp-complete: the server is not running. See the log (lsp-complete: Show server log).';
      this.statusItem.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    this.lastStatus = params === undefined ? undefined : parseStatus(params);
    this.render();
  }

  private render(): void {
    const view = formatStatus(this.lastStatus);
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private async doStart(): Promise<void> {
    this.failureShown = false;
    this.tail.clear();
    const config = vscode.workspace.getConfiguration(SECTION);
    const launch = resolveLaunch(
      { path: config.get<string>('server.path') ?? '', python: config.get<string>('server.python') ?? '' },
      process.env['PATH'],
      isExecutable,
    );
    if ('error' in launch) {
      this.fail(launch.error);
      return;
    }
    this.launch = launch;
    const initializationOptions = serverSettings(this.keys, (key) => config.inspect(key));
    this.log.info(`starting ${[launch.command, ...launch.args].join(' ')} (from ${launch.origin})`);
    const client = new QuietClient(
      'lspComplete',
      'lsp-complete',
      { command: launch.command, args: launch.args },
      {
        documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
        outputChannel: this.log,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions,
        initializationFailedHandler: () => false,
        errorHandler: {
          error: (_error, _message, count): ErrorHandlerResult => ({
            action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
            handled: true,
          }),
          closed: () => this.onClosed(),
        },
        stdioOptions: {
          stdout: (input, channel) => lines(input, (line) => channel.info(line)),
          stderr: (input, channel) => {
            this.stderrEnded = new Promise((resolve) => input.once('close', () => resolve()));
            lines(input, (line) => {
              this.tail.push(line);
              channel.appendLine(line);
            });
          },
        },
      },
    );
    client.onDidChangeState((event) => {
      this.runningSince = event.newState === State.Running ? Date.now() : undefined;
    });
    this.disposables.push(
      client.onNotification(STATUS_NOTIFICATION, (params: unknown) => this.showStatus(params)),
    );
    this.client = client;
    this.statusItem.text = '$(loading~spin) lsp-complete starting';
    this.statusItem.tooltip = 'lsp-complete: starting the server';
    this.statusItem.backgroundColor = undefined;
    try {
      await client.start();
      this.showStatus(undefined);
      await this.restorePause(client).catch((error: unknown) => this.log.warn(`restoring the pause: ${String(error)}`));
    } catch {
      await this.stderrDrained();
      this.fail(startFailureMessage(launch, this.tail.get()));
    }
  }

  /** Wait (at most a second) for the rest of the dead server's stderr. */
  private async stderrDrained(): Promise<void> {
    await Promise.race([this.stderrEnded, new Promise((resolve) => setTimeout(resolve, 1000))]);
  }

  private async onClosed(): Promise<CloseHandlerResult> {
    if (this.stopping) return { action: CloseAction.DoNotRestart, handled: true };
    const launch = this.launch;
    const verdict = closeVerdict(Date.now(), this.runningSince, this.crashes);
    this.crashes = verdict.crashes;
    await this.stderrDrained();
    if (verdict.restart) {
      this.log.warn('the server exited; restarting it');
      return { action: CloseAction.Restart, handled: true };
    }
    if (verdict.reason === 'loop') {
      this.fail(
        `lsp-complete: the server crashed ${verdict.crashes.length} times in 3 minutes and will not be restarted. ` +
          'See the log, then run "lsp-complete: Restart server".',
      );
    } else if (launch !== undefined) {
      this.fail(startFailureMessage(launch, this.tail.get()));
    }
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    if (client === undefined) return;
    this.stopping = true;
    try {
      if (client.needsStop()) await client.stop(3000);
    } catch (error) {
      this.log.warn(`stopping the server: ${String(error)}`);
    } finally {
      this.stopping = false;
      await client.dispose().catch(() => undefined);
    }
  }

  dispose(): void {
    void this.stop();
  }
}

function lines(input: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on('line', onLine);
}

async function runServerCommand(server: Server, command: EditorCommand): Promise<void> {
  const client = server.running;
  if (client === undefined || command.server === undefined) {
    const choice = await vscode.window.showWarningMessage('lsp-complete: the server is not running.', 'Restart server');
    if (choice === 'Restart server') await server.restart('requested');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const args = commandArguments(
    command,
    editor && {
      uri: editor.document.uri.toString(),
      selection: {
        start: { line: editor.selection.start.line, character: editor.selection.start.character },
        end: { line: editor.selection.end.line, character: editor.selection.end.character },
      },
    },
  );
  if (args === undefined) {
    void vscode.window.showWarningMessage(`lsp-complete: ${command.title} needs an open editor.`);
    return;
  }
  const name = command.server;
  try {
    // The server reports progress ($/progress), shows its messages and applies its edits itself.
    const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: name, arguments: args });
    const enabled = toggledState(command, result);
    if (enabled !== undefined) server.setPaused(!enabled);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`lsp-complete: ${command.title} failed: ${message}`);
  }
}

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('lsp-complete', { log: true });
  const statusItem = vscode.window.createStatusBarItem('lspComplete.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'lsp-complete';
  statusItem.command = 'lsp-complete.usage';
  statusItem.show();
  server = new Server(log, statusItem, contributedKeys(context.extension.packageJSON));
  context.subscriptions.push(log, statusItem, server);

  for (const command of COMMANDS) {
    const s = server;
    const handler =
      command.id === 'lsp-complete.restart'
        ? () => s.restart('requested')
        : command.id === 'lsp-complete.showLog'
          ? () => log.show()
          : () => runServerCommand(s, command);
    context.subscriptions.push(vscode.commands.registerCommand(command.id, handler));
  }
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) void server?.restart('lspComplete settings changed');
    }),
  );
  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
