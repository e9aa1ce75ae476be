// The panel's colours, inline (no stylesheet to fetch, nothing for the page's CSS to clash with).
export const colors = {
  fg: '#1f2328',
  muted: '#59636e',
  border: '#d1d9e0',
  bg: '#ffffff',
  panel: '#f6f8fa',
  edge: '#8c959f',
  accent: '#8250df',
  danger: '#cf222e',
} as const;

const STATE_COLORS: Readonly<Record<string, string>> = {
  pending: '#6e7781',
  constrained: '#9a6700',
  running: '#0969da',
  backoff: '#bc4c00',
  cancelled: '#57606a',
  done: '#1a7f37',
  failed: '#cf222e',
};

export function stateColor(state: string): string {
  return STATE_COLORS[state] ?? '#6e7781';
}

export const mono = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
export const sans = 'system-ui, -apple-system, "Segoe UI", sans-serif';
