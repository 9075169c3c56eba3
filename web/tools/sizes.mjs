// Prints the package's files with their sizes, raw and gzipped (level 9).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const files = ['index.js', 'index.d.ts', 'pkg/cnid_web.js', 'pkg/cnid_web.d.ts', 'pkg/cnid_web_bg.wasm'];
let raw = 0;
let gz = 0;
for (const f of files) {
  const b = readFileSync(new URL(`../${f}`, import.meta.url));
  const z = gzipSync(b, { level: 9 }).length;
  raw += b.length;
  gz += z;
  console.log(`${f.padEnd(22)} ${String(b.length).padStart(9)} B  ${String(z).padStart(8)} B gzipped`);
}
console.log(`${'package (library)'.padEnd(22)} ${String(raw).padStart(9)} B  ${String(gz).padStart(8)} B gzipped`);
const page = readFileSync(new URL('../dist/cnid.html', import.meta.url));
console.log(`${'dist/cnid.html'.padEnd(22)} ${String(page.length).padStart(9)} B  ${String(gzipSync(page, { level: 9 }).length).padStart(8)} B gzipped`);
const limit = 300 * 1024;
if (gz > limit) {
  console.error(`web: the package is ${gz} B gzipped, over the ${limit} B budget`);
  process.exit(1);
}
