// The text exposition: metric families rendered as OpenMetrics 1.0 (what Prometheus asks for first) or as the
// Prometheus text format 0.0.4 (what older scrapers and curl get). Label values and help text are escaped per the
// formats, so that a hostile container name or label cannot end a value, add a line or a series.
//   OpenMetrics: https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md
//   Prometheus:  https://prometheus.io/docs/instrumenting/exposition_formats/

export type MetricType = 'gauge' | 'counter' | 'info';
export type ExpositionFormat = 'openmetrics' | 'prometheus';

export const CONTENT_TYPE: Record<ExpositionFormat, string> = {
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
};

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

interface Sample {
  labels: Labels;
  value: number;
}

export interface Family {
  /** Without the `_total` of a counter or the `_info` of an info family. */
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The families of one exposition, each once and in the order first declared, whatever order the targets add
 * samples in (OpenMetrics wants a family's samples together, and each family once).
 */
export class FamilySet {
  private readonly families = new Map<string, Family>();

  /** Declares a family (again is fine with the same type) and returns a function that adds one sample to it. */
  family(name: string, type: MetricType, help: string): (labels: Labels, value: number | null) => void {
    let f = this.families.get(name);
    if (!f) {
      if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
      f = { name, type, help, samples: [] };
      this.families.set(name, f);
    } else if (f.type !== type) throw new Error(`metric ${name} declared as ${f.type} and ${type}`);
    const family = f;
    return (labels, value) => {
      // An unknown figure is left out: a 0 would read as a measurement.
      if (value === null || Number.isNaN(value)) return;
      family.samples.push({ labels, value });
    };
  }

  list(): Family[] {
    return [...this.families.values()];
  }
}

/** OpenMetrics and Prometheus escape label values alike: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return wellFormed(v).replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP text: backslash and line feed in both formats (OpenMetrics also escapes the double quote). */
function escapeHelp(v: string, format: ExpositionFormat): string {
  const re = format === 'openmetrics' ? /[\\"\n]/g : /[\\\n]/g;
  return wellFormed(v).replace(re, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** The exposition is UTF-8: a lone surrogate (possible in a JS string built from odd bytes) becomes U+FFFD. */
function wellFormed(v: string): string {
  return v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** A float as both formats spell it: integers without a point, the special values by name. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

function labelText(labels: Labels): string {
  if (labels.length === 0) return '';
  const parts = labels.map(([k, v]) => {
    if (!LABEL_NAME.test(k)) throw new Error(`bad label name ${k}`);
    return `${k}="${escapeLabelValue(v)}"`;
  });
  return `{${parts.join(',')}}`;
}

/** The series name of a family's samples in a format, and the name its TYPE and HELP lines use. */
function names(f: Family, format: ExpositionFormat): { series: string; declared: string; type: string } {
  if (f.type === 'counter')
    return {
      series: `${f.name}_total`,
      declared: format === 'openmetrics' ? f.name : `${f.name}_total`,
      type: 'counter',
    };
  if (f.type === 'info')
    return format === 'openmetrics'
      ? { series: `${f.name}_info`, declared: f.name, type: 'info' }
      : { series: `${f.name}_info`, declared: `${f.name}_info`, type: 'gauge' };
  return { series: f.name, declared: f.name, type: 'gauge' };
}

export function render(families: readonly Family[], format: ExpositionFormat): string {
  const out: string[] = [];
  for (const f of families) {
    const n = names(f, format);
    out.push(`# HELP ${n.declared} ${escapeHelp(f.help, format)}`);
    out.push(`# TYPE ${n.declared} ${n.type}`);
    for (const s of f.samples) out.push(`${n.series}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  if (format === 'openmetrics') out.push('# EOF');
  return `${out.join('\n')}\n`;
}

/**
 * The format a scraper asked for in its Accept header: OpenMetrics when it names application/openmetrics-text
 * (with a q above 0), as Prometheus does since 2.5; the Prometheus text format otherwise.
 */
export function negotiate(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics';
  }
  return 'prometheus';
}
