// Puts the page, the wasm-bindgen glue and the WebAssembly (base64) into one HTML file
// that needs no server and makes no request: node tools/bundle.mjs page.html pkg out.html
import { readFileSync, writeFileSync } from 'node:fs';

const [page, pkg, out] = process.argv.slice(2);
const html = readFileSync(page, 'utf8');
const glue = readFileSync(`${pkg}/cnid_web.js`, 'utf8');
const wasm = readFileSync(`${pkg}/cnid_web_bg.wasm`).toString('base64');
const app = readFileSync(new URL('../page.js', import.meta.url), 'utf8');
const script = [
  glue,
  `const CNID_WASM = '${wasm}';`,
  'initSync({ module: Uint8Array.from(atob(CNID_WASM), (c) => c.charCodeAt(0)) });',
  app,
].join('\n');
if (script.includes('</script')) throw new Error('the script holds </script');
const marker = '<!-- SCRIPT -->';
if (!html.includes(marker)) throw new Error(`${page} has no ${marker}`);
writeFileSync(out, html.replace(marker, () => `<script type="module">\n${script}\n</script>`));
