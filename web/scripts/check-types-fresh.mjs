// Fails when src/lib/generated is not what the committed OpenAPI documents generate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './gen-types.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const committed = path.resolve(here, '../src/lib/generated');
const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-types-'));
await generate(fresh);

let stale = [];
for (const name of fs.readdirSync(fresh)) {
  const want = fs.readFileSync(path.join(fresh, name), 'utf8');
  const file = path.join(committed, name);
  const have = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (have !== want) stale.push(name);
}
fs.rmSync(fresh, { recursive: true, force: true });
if (stale.length) {
  console.error(`stale generated types: ${stale.join(', ')}; run \`npm run gen:types\` in web/ and commit`);
  process.exit(1);
}
console.log('generated types are up to date');
