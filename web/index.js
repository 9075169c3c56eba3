// cnid for JavaScript: every answer is computed here, from WebAssembly; nothing is sent.
// Types: index.d.ts. Build the pkg/ directory first (./build.sh).
import init, { initSync, lookupJson, detailJson, lookupMany, version } from './pkg/cnid_web.js';

export { version };

/** Loads the WebAssembly module (browser: fetched next to this file, or from `source`). */
export async function load(source) {
  await init(source === undefined ? undefined : { module_or_path: source });
}

/** Loads the WebAssembly module from its bytes or a compiled module (Node.js, bundlers). */
export function loadSync(bytes) {
  initSync({ module: bytes });
}

/** Today's date in China (UTC+8) as YYYY-MM-DD: the latest birth date allowed. */
export function chinaToday(now = new Date()) {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The web API's `result` for one number. */
export function lookup(input, today = chinaToday()) {
  return JSON.parse(lookupJson(String(input), today)).result;
}

/** cnid's own answer: document kind, status and fields, reason, age, the document's data. */
export function detail(input, today = chinaToday()) {
  return JSON.parse(detailJson(String(input), today));
}

/**
 * One `result` per line of `text` (the first field of a CSV line; a header line without a
 * digit in its first field is skipped), `null` for a blank line.
 */
export function lookupAll(text, today = chinaToday()) {
  const out = lookupMany(String(text), today).split('\n');
  out.pop();
  return out.map((line) => (line === '' ? null : JSON.parse(line).result));
}
