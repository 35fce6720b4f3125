// The layer rules of src/, as one ESLint rule (`layers/imports`) over one table. Relative imports are resolved to
// the file they name, so a rule keys on where a module lives, not on how its path is spelled. docs/layers.md lists
// the same rules in prose; change both together.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The pure, browser-safe core modules the webviews may import (no Node APIs, no imports outside this list and
 * src/shared; tsconfig.webview.json type-checks them without Node types too). Paths without the extension.
 */
export const BROWSER_SAFE_CORE = [
  'src/core/model',
  'src/core/format',
  'src/core/escape',
  'src/core/identity',
  'src/core/order',
  'src/core/history/range',
  'src/core/history/rollup',
  'src/core/panels/dashboardTables',
  'src/core/panels/gapsView',
  'src/core/panels/history',
  'src/core/panels/series',
  'src/core/panels/tableModel',
  'src/core/panels/webviewState',
];

const under = (dir) => (p) => p === dir || p.startsWith(`${dir}/`);
const browserSafe = (p) => BROWSER_SAFE_CORE.includes(p);
const inShared = under('src/shared');
const inWebview = under('src/webview');
const inCore = under('src/core');
const inCli = under('src/cli');
const inVscode = under('src/vscode');

/**
 * Each layer, first match wins: `files` picks the importing file (path from the repo root, no extension);
 * `allow(target, typeOnly)` says whether it may import that file; `node` whether Node built-ins are allowed;
 * `vscode` whether the `vscode` module is.
 */
export const LAYERS = [
  {
    name: 'browser-safe core',
    files: browserSafe,
    allow: (t) => browserSafe(t) || inShared(t),
    node: false,
    vscode: false,
  },
  {
    name: 'src/webview',
    files: inWebview,
    allow: (t) => inWebview(t) || inShared(t) || browserSafe(t),
    node: false,
    vscode: false,
  },
  {
    name: 'src/shared',
    files: inShared,
    allow: (t, typeOnly) => inShared(t) || (typeOnly && inCore(t)),
    node: false,
    vscode: false,
  },
  {
    name: 'src/core',
    files: inCore,
    allow: (t) => !(inCli(t) || inVscode(t) || inWebview(t)),
    node: true,
    vscode: false,
  },
  {
    name: 'src/cli',
    files: inCli,
    allow: (t) => !(inVscode(t) || inWebview(t)),
    node: true,
    vscode: false,
  },
  {
    name: 'src/vscode',
    files: inVscode,
    allow: (t) => !(inCli(t) || inWebview(t)),
    node: true,
    vscode: true,
  },
];

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);

/** A repo-relative path without its .ts/.js/.mjs extension or /index. */
function normalize(abs) {
  let p = path.relative(ROOT, abs).split(path.sep).join('/');
  p = p.replace(/\.(ts|js|mjs|mts)$/, '').replace(/\/index$/, '');
  return p;
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specs = node.specifiers ?? [];
  return specs.length > 0 && specs.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the layer rules of src/ (docs/layers.md).' },
    schema: [],
    messages: {
      layer: '{{layer}} may not import {{target}} (docs/layers.md).',
      node: '{{layer}} runs in the browser too: no Node built-in ({{target}}) (docs/layers.md).',
      vscode: "Only src/vscode may import 'vscode' ({{layer}} does) (docs/layers.md).",
    },
  },
  create(context) {
    const file = normalize(context.filename);
    const layer = LAYERS.find((l) => l.files(file));
    if (!layer) return {};
    const check = (node, source, typeOnly) => {
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      const data = { layer: layer.name, target: spec };
      if (spec.startsWith('.')) {
        const target = normalize(path.resolve(path.dirname(context.filename), spec));
        if (!layer.allow(target, typeOnly))
          context.report({ node: source, messageId: 'layer', data: { ...data, target } });
      } else if (spec === 'vscode' || spec.startsWith('vscode/')) {
        if (!layer.vscode) context.report({ node: source, messageId: 'vscode', data });
      } else if (isNodeBuiltin(spec) && !layer.node) {
        context.report({ node: source, messageId: 'node', data });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null, false),
      TSImportType: (node) => {
        const lit = node.argument?.literal ?? node.argument;
        check(node, lit?.type === 'Literal' ? lit : null, true);
      },
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        ) {
          check(node, node.arguments[0], false);
        }
      },
    };
  },
};

export default { rules: { imports: importsRule } };
