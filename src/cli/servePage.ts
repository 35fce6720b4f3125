// The page at `/` of `serve`: each target, whether it is up (and why not), its last refresh and what it holds.
// Every value is HTML-escaped (target names and reasons come from settings and from the targets themselves), and
// the page is served with a CSP that runs no script.
import type { ServedTarget } from '../core/openmetrics/dmFamilies';
import { escapeControlChars, escapeHtml } from '../core/escape';

function html(text: string): string {
  return escapeHtml(escapeControlChars(text));
}

function row(t: ServedTarget): string {
  const s = t.snapshot;
  const cells = [
    t.name,
    t.up ? 'up' : `down: ${t.reason ?? 'unknown'}`,
    s ? `${s.collectedAt} (${s.durationMs} ms)` : '-',
    s ? `${s.containers.filter((c) => c.state === 'running').length} running of ${s.containers.length}` : '-',
    String(t.findings.length),
    String(t.alerts.length),
  ];
  return `<tr>${cells.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`;
}

export function servePage(targets: readonly ServedTarget[], intervalSeconds: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Docker Monitor: serve</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}</style>
</head><body>
<h1>Docker Monitor</h1>
<p>OpenMetrics at <a href="metrics">/metrics</a>. Each target refreshes every ${intervalSeconds} s; a scrape returns the latest refresh.</p>
<table><thead><tr><th>Target</th><th>State</th><th>Last refresh</th><th>Containers</th><th>Gap findings</th><th>Active alerts</th></tr></thead>
<tbody>
${targets.map(row).join('\n')}
</tbody></table>
</body></html>
`;
}
