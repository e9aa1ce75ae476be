import { version } from 'react';

/** errand's stylesheet, also available to apps that bundle CSS themselves. Theme with the custom properties. */
export const errandCss = `
.errand-board, .errand-timeline {
  --errand-fg: #1f2328; --errand-muted: #59636e; --errand-border: #d1d9e0; --errand-bg: #ffffff;
  --errand-pending: #6e7781; --errand-constrained: #9a6700; --errand-running: #0969da;
  --errand-backoff: #bc4c00; --errand-cancelled: #57606a; --errand-done: #1a7f37; --errand-failed: #cf222e;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--errand-fg);
}
.errand-board { overflow-x: auto; }
.errand-board table { border-collapse: collapse; width: 100%; background: var(--errand-bg); }
.errand-board caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
.errand-board th, .errand-board td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--errand-border); vertical-align: middle; }
.errand-board thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--errand-muted); }
.errand-board tbody th { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 500; }
.errand-detail { display: block; color: var(--errand-muted); font-size: 12px; }
.errand-empty { color: var(--errand-muted); font-style: italic; }
.errand-status { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600; color: #fff; background: var(--errand-pending); }
.errand-status--constrained { background: var(--errand-constrained); }
.errand-status--running { background: var(--errand-running); }
.errand-status--backoff { background: var(--errand-backoff); }
.errand-status--cancelled { background: var(--errand-cancelled); }
.errand-status--done { background: var(--errand-done); }
.errand-status--failed { background: var(--errand-failed); }
.errand-progress { display: flex; align-items: center; gap: 8px; min-width: 120px; }
.errand-progress__track { flex: 1; height: 8px; border-radius: 4px; background: var(--errand-border); overflow: hidden; }
.errand-progress__bar { height: 100%; background: var(--errand-running); transition: width .2s ease; }
.errand-progress--indeterminate .errand-progress__bar { width: 30%; animation: errand-slide 1.2s ease-in-out infinite; }
.errand-progress__label { font-variant-numeric: tabular-nums; font-size: 12px; color: var(--errand-muted); min-width: 3em; text-align: right; }
@keyframes errand-slide { from { transform: translateX(-100%); } to { transform: translateX(340%); } }
@media (prefers-reduced-motion: reduce) { .errand-progress__bar { transition: none; } .errand-progress--indeterminate .errand-progress__bar { animation: none; } }
.errand-timeline h3 { font-size: 14px; margin: 0 0 6px; }
.errand-timeline ol { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid var(--errand-border); }
.errand-timeline li { position: relative; padding: 4px 0 4px 10px; }
.errand-timeline li::before { content: ""; position: absolute; left: -21px; top: 10px; width: 10px; height: 10px; border-radius: 50%; background: var(--errand-border); }
.errand-timeline time { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: var(--errand-muted); margin-right: 8px; }
.errand-timeline .errand-detail { display: inline; margin-left: 8px; }
`;

const hoists = Number.parseInt(version, 10) >= 19;

/**
 * Puts errand's stylesheet in the page. React 19 hoists it into <head> once however many
 * components render it; React 18 renders it in place.
 */
export function ErrandStyles() {
  return hoists ? (
    <style href="errand-react" precedence="default">
      {errandCss}
    </style>
  ) : (
    <style>{errandCss}</style>
  );
}
