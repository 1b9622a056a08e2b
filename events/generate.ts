import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { renderContracts, withSemanticsTable } from './render.ts';

const here = dirname(fileURLToPath(import.meta.url));
for (const [file, content] of Object.entries(renderContracts())) {
  const path = join(here, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote events/${file}`);
}
const semantics = join(here, '..', 'docs', 'semantics.md');
writeFileSync(semantics, withSemanticsTable(readFileSync(semantics, 'utf8')));
console.log('wrote the per-type table of docs/semantics.md');
