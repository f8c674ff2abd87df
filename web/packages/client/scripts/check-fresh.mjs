// Fails when src/generated is not what the committed API documents generate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const committed = path.resolve(here, '../src/generated');
const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-types-'));
await generate(fresh);

const names = new Set([...fs.readdirSync(fresh), ...fs.readdirSync(committed)]);
const stale = [];
for (const name of names) {
  const read = (dir) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), 'utf8') : null);
  if (read(fresh) !== read(committed)) stale.push(name);
}
fs.rmSync(fresh, { recursive: true, force: true });
if (stale.length) {
  console.error(`stale generated types: ${stale.join(', ')}; run \`npm run gen:types\` in web/ and commit`);
  process.exit(1);
}
console.log('generated types are up to date');
