// Runs cnid compiled to wasm32-unknown-unknown and checks its answers: node check.js FILE.wasm
const fs = require('fs');
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(process.argv[2])), {});
const { memory, input, status, status_on } = instance.exports;
const STATUS = ['ALREADY_ATT', 'WAIT_PROCESS', 'NOT_ATT', 'WRONG_IDCARD'];
const put = (id) => {
  const bytes = new TextEncoder().encode(id);
  new Uint8Array(memory.buffer, input(), 64).set(bytes);
  return bytes.length;
};
let failed = 0;
const expect = (what, got, want) => {
  const ok = got === want;
  if (!ok) failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${got}${ok ? '' : ` (want ${want})`}`);
};
// Synthetic numbers only.
const cases = [
  ['valid, current region', '110101199001011114', 'ALREADY_ATT'],
  ['valid, abolished region', '512928199001011114', 'ALREADY_ATT'],
  ['wrong check character', '110101199001011112', 'WRONG_IDCARD'],
  ['15 digits', '110101900101111', 'ALREADY_ATT'],
];
// A trap (a Rust panic) is an answer too, and a failing one.
const run = (f) => {
  try { return STATUS[f()]; } catch (e) { return `trap (${e.message})`; }
};
for (const [what, id, want] of cases) {
  expect(what, run(() => status(put(id))), want);
}
// Born 2099-01-01: no clock in a browser, so only a "today" from the host rejects it.
const future = '110101209901010017';
expect('born 2099, today from the host', run(() => status_on(put(future), 2026, 11, 29)), 'WRONG_IDCARD');
expect('born 2099, no clock', run(() => status(put(future))), 'ALREADY_ATT');
// No clock, no age: `None` (-1 here), not an age counted to the year 262143.
let age;
try { age = Number(instance.exports.age(put('110101199001011114'))); } catch (e) { age = `trap (${e.message})`; }
expect('age without a clock', age, -1);
process.exit(failed ? 1 : 0);
