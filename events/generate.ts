import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderContracts } from './render.ts';

const here = dirname(fileURLToPath(import.meta.url));
for (const [file, content] of Object.entries(renderContracts())) {
  const path = join(here, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote events/${file}`);
}
