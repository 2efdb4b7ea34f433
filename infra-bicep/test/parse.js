// Syntax check for the Bicep files (no Bicep compiler is available): parses every .bicep file under
// infra-bicep with tree-sitter-bicep and fails on ERROR or MISSING nodes.
// Usage: node infra-bicep/test/parse.js [file ...]   (default: every .bicep file under infra-bicep)
'use strict';
const fs = require('fs');
const path = require('path');
const Parser = require('tree-sitter');
const Bicep = require('tree-sitter-bicep');

function bicepFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : bicepFiles(full);
    return entry.name.endsWith('.bicep') ? [full] : [];
  });
}

function problems(node, out) {
  if (node.type === 'ERROR' || node.isMissing) {
    out.push(`${node.isMissing ? 'MISSING ' + node.type : 'ERROR'} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}`);
  }
  for (const child of node.children) problems(child, out);
  return out;
}

const parser = new Parser();
parser.setLanguage(Bicep);
const root = path.resolve(__dirname, '..');
const files = process.argv.length > 2 ? process.argv.slice(2) : bicepFiles(root);
if (files.length === 0) {
  console.error('no .bicep files found');
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  const source = fs.readFileSync(file, 'utf8');
  const tree = parser.parse(source);
  const found = problems(tree.rootNode, []);
  if (found.length > 0) {
    failed++;
    console.log(`FAIL ${path.relative(process.cwd(), file)}: ${found.join(', ')}`);
  } else {
    console.log(`ok   ${path.relative(process.cwd(), file)}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
