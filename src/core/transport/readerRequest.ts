// A BatchPlan as one request body for the remote readers (perlReader.ts): plain records a reader splits
// without a JSON decoder, with every glob already turned into a regex here, so that glob.ts stays the one
// definition of what a pattern matches on both sides.
//
// Records end in `\n`, fields in `\0`; no field can hold either, because validateBatchPlan admits neither in
// a path or in the cgroup pattern, and a regex made from a plan path is made of the same characters.
//   F, L, S <segments>     an absolute file, link or statfs pattern, its segments after the leading `/`
//   PF, PL <segments>      processFacts files and links, relative to /proc/PID
//   K <pid> <start> ...    processFacts.known, as alternating fields (present whenever processFacts is)
//   NL                     processFacts.newFromListing: PIDs /proc lists that are not known get stat and facts
//   N <segments>           perNetns, relative to /proc/PID
//   NS <segments>          perNetnsSockets: as N, in namespaces where a process's fd link is a socket
//   CR <root>  CP <regex>  CK <path>  CF <segments>  CN <segments>   the cgroup stage: root, pattern,
//                          known paths, files, newPathFiles
// A segment is `L` + literal text, or `G` + the regex of one directory entry name (globSegmentToRegExp's,
// anchored with \z, which perl and python read as JS does `$` without the m flag).
import { validateBatchPlan } from './batchScript';
import { globSegmentToRegExp } from './glob';
import type { BatchPlan } from './types';

const WILD = /[*?[]/;

function segments(path: string): string[] {
  return path
    .split('/')
    .map((s) => (WILD.test(s) ? `G${globSegmentToRegExp(s).source.replace(/\$$/, '\\z')}` : `L${s}`));
}

/** The request body for `plan`; throws MonitorError('bad-argument') as validateBatchPlan does, before anything is sent. */
export function encodeReaderRequest(plan: BatchPlan): string {
  validateBatchPlan(plan);
  const recs: string[][] = [];
  const abs = (kind: string, list: string[]): void => {
    for (const p of list) recs.push([kind, ...segments(p.slice(1))]);
  };
  const rel = (kind: string, list: string[]): void => {
    for (const p of list) recs.push([kind, ...segments(p)]);
  };
  abs('F', plan.files);
  abs('L', plan.links);
  abs('S', plan.statfs);
  if (plan.processFacts) {
    rel('PF', plan.processFacts.files);
    rel('PL', plan.processFacts.links);
    recs.push(['K', ...plan.processFacts.known.flatMap(([pid, start]) => [String(pid), String(start)])]);
    if (plan.processFacts.newFromListing) recs.push(['NL']);
  }
  if (plan.perNetns) rel('N', plan.perNetns);
  if (plan.perNetnsSockets) rel('NS', plan.perNetnsSockets);
  const cg = plan.cgroups;
  if (cg && cg.files.length > 0) {
    recs.push(['CR', cg.root], ['CP', cg.pattern]);
    for (const p of cg.paths ?? []) recs.push(['CK', p]);
    rel('CF', cg.files);
    rel('CN', cg.newPathFiles ?? []);
  }
  return recs.map((r) => `${r.join('\0')}\n`).join('');
}

/** The framing of one request: a header line with the nonce and the body's length in bytes, then the body. */
export function readerRequest(body: string, nonce: string): string {
  return `DM-REQ ${nonce} ${Buffer.byteLength(body, 'utf8')}\n${body}`;
}
