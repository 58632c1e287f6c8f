// Status bar text from the server's `$/lspComplete/status` notification. Pure: no `vscode` import.

export interface ServerStatus {
  tier?: string;
  provider?: string;
  model?: string;
  latencyMs?: number;
  degraded?: boolean;
  paused?: boolean;
  spentTodayUsd?: number;
  dailyCapUsd?: number | null;
}

export interface StatusView {
  text: string;
  tooltip: string;
  warning: boolean;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Keep only well-typed fields: the notification comes from another process and may be malformed. */
export function parseStatus(params: unknown): ServerStatus {
  const p = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
  const out: ServerStatus = {};
  const tier = str(p['tier']);
  const provider = str(p['provider']);
  const model = str(p['model']);
  const latency = num(p['latencyMs']);
  const spent = num(p['spentTodayUsd']);
  const cap = num(p['dailyCapUsd']);
  if (tier !== undefined) out.tier = tier;
  if (provider !== undefined) out.provider = provider;
  if (model !== undefined) out.model = model;
  if (latency !== undefined && latency >= 0) out.latencyMs = latency;
  if (spent !== undefined && spent >= 0) out.spentTodayUsd = spent;
  if (cap !== undefined && cap >= 0) out.dailyCapUsd = cap;
  else if (p['dailyCapUsd'] === null) out.dailyCapUsd = null;
  if (p['degraded'] === true) out.degraded = true;
  if (p['paused'] === true) out.paused = true;
  return out;
}

/** Dollars with enough digits to see a cheap day move: $0.0004, $0.012, $1.25. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatLatency(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What the status bar item shows for a status, or for none yet (`undefined`). */
export function formatStatus(status: ServerStatus | undefined): StatusView {
  if (status === undefined) {
    return { text: '$(sparkle) lsp-complete', tooltip: 'lsp-complete: no completion yet. Click for usage.', warning: false };
  }
  const parts: string[] = [];
  const who = status.provider ?? '';
  parts.push(status.tier !== undefined ? (who ? `${status.tier}·${who}` : status.tier) : who || 'lsp-complete');
  if (status.latencyMs !== undefined) parts.push(formatLatency(status.latencyMs));
  if (status.spentTodayUsd !== undefined) parts.push(formatUsd(status.spentTodayUsd));
  const icon = status.paused ? '$(debug-pause)' : status.degraded ? '$(warning)' : '$(sparkle)';
  const text = `${icon} ${status.paused ? 'paused ' : ''}${parts.join(' ')}`;

  const lines = ['lsp-complete'];
  if (status.paused) lines.push('Completions paused (Toggle completions to resume)');
  if (status.degraded) lines.push('Degraded: a provider failed or is skipped; answers come from a fallback');
  if (status.tier !== undefined) lines.push(`Tier: ${status.tier}`);
  if (status.provider !== undefined) {
    lines.push(`Provider: ${status.provider}${status.model !== undefined ? ` (${status.model})` : ''}`);
  }
  if (status.latencyMs !== undefined) lines.push(`Last latency: ${formatLatency(status.latencyMs)}`);
  if (status.spentTodayUsd !== undefined) {
    const cap = status.dailyCapUsd === undefined ? '' : status.dailyCapUsd === null ? ' (no cap)' : ` of ${formatUsd(status.dailyCapUsd)}`;
    lines.push(`Spent today: ${formatUsd(status.spentTodayUsd)}${cap}`);
  }
  lines.push('Click for usage');
  return { text, tooltip: lines.join('\n'), warning: status.degraded === true && status.paused !== true };
}
