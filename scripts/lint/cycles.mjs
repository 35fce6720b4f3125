// Fails on any import cycle in src/, type-only imports included (a type-only cycle still ties the files' designs
// together). The files of every cycle form one strongly connected component (SCC); each SCC of two or more files
// must be exactly one of ALLOWED below, so a new cycle fails, and so does an allowed one that takes in one more file.
//   node scripts/lint/cycles.mjs
import { parseDependencyTree } from 'dpdm';

const ALLOWED = [];

const tree = await parseDependencyTree('src/**/*.ts', {
  context: process.cwd(),
  transform: false, // keep `import type` edges
  skipDynamicImports: false,
});

/** Tarjan's algorithm over the files of src/ (modules outside the tree, node_modules and built-ins, are leaves). */
function components(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const graph = new Map();
for (const [file, deps] of Object.entries(tree)) {
  if (!file.startsWith('src/')) continue;
  graph.set(file, [...new Set((deps ?? []).map((d) => d.id).filter((id) => id && id.startsWith('src/')))]);
}

const key = (files) => [...files].sort().join('\n');
const allowed = new Map(ALLOWED.map((files) => [key(files), files]));
const cycles = components(graph).filter((scc) => scc.length > 1 || (graph.get(scc[0]) ?? []).includes(scc[0]));
let failed = false;
for (const scc of cycles) {
  if (allowed.delete(key(scc))) {
    console.log(`allowed import cycle: ${scc.join(' <-> ')}`);
  } else {
    failed = true;
    console.error(`import cycle: ${scc.join(' <-> ')}`);
  }
}
for (const files of allowed.values()) {
  console.log(`note: the allowed cycle ${files.join(' <-> ')} is gone: remove it from scripts/lint/cycles.mjs`);
}
if (failed) {
  console.error(
    'import cycles found (npx dpdm --no-tree --no-warning <file> shows the paths); break them, do not allow them',
  );
  process.exit(1);
}
console.log(`no import cycles in ${graph.size} files of src/ beyond the ${ALLOWED.length} allowed`);
