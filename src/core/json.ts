// JSON output, shared by the CLI (--json, NDJSON) and the extension (Export Snapshot, Copy as JSON).
// JSON.stringify escapes C0 controls but leaves C1 controls (0x9b is a one-byte CSI on some terminals), line
// separators and bidi overrides raw; as \u escapes they stay valid JSON and harmless on a terminal.
import type { Snapshot } from './model';

const RAW_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeRaw(json: string): string {
  return json.replace(RAW_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function toJson(value: unknown): string {
  return escapeRaw(JSON.stringify(value, null, 2));
}

/** One line of NDJSON (--watch --json): strings keep their newlines and U+2028/2029 escaped, so it never splits. */
export function toJsonLine(value: unknown): string {
  return escapeRaw(JSON.stringify(value));
}

/** `monitor all --json`: the snapshot's public fields, in a fixed order (the contract). */
export function allJson(s: Snapshot) {
  return {
    target: s.target,
    collectedAt: s.collectedAt,
    durationMs: s.durationMs,
    slowReadAt: s.slowReadAt,
    host: s.host,
    docker: s.docker,
    containers: s.containers,
    processes: s.processes,
    warnings: s.warnings,
  };
}
