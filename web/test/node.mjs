// The npm package in Node.js: node test/node.mjs (after ./build.sh).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadSync, lookup, detail, lookupAll, version, chinaToday } from '../index.js';
import { complete, wrong, csv } from './common.mjs';

loadSync(readFileSync(new URL('../pkg/cnid_web_bg.wasm', import.meta.url)));
const today = '2026-11-29';

assert.match(version(), /^\d+\.\d+\.\d+ \(data: .+, \d+ codes\)$/);
assert.match(chinaToday(new Date('2026-01-01T17:00:00Z')), /^2026-01-02$/);

const ok = lookup('110101199001011114', today);
assert.equal(ok.status, 'ALREADY_ATT');
assert.equal(ok.att, '北京市 东城区 ');
assert.equal(ok.born, '1990年01月01日');
assert.equal(ok.sex, '男');
// The compact build puts att together at lookup: an abolished code keeps its era's names.
assert.equal(lookup(complete('51292819900101111'), today).att, '四川省 南充地区 武胜县');

const bad = lookup('110101199001011112', today);
assert.equal(bad.status, 'WRONG_IDCARD');
assert.equal(bad.msg, '身份证号码不正确');

const foreign = complete('91184019800101111');
assert.equal(lookup(foreign, today).par, '110000');
const d = detail(foreign, today);
assert.equal(d.kind, 'foreign_permanent_residence_id');
assert.equal(d.document.nationality.alpha3, 'USA');
assert.equal(d.age, 46);
assert.equal(detail('A123456(3)', today).kind, 'hong_kong_id');
assert.equal(detail('A123456(3)', today).error, null);
assert.match(detail(wrong('11010119900101111'), today).error, /check character/);
assert.equal(detail('2014-06-01', today).kind, null);
assert.throws(() => lookup('110101199001011114', 'tomorrow'), /YYYY-MM-DD/);

const [text, counts] = csv(10_000);
const all = lookupAll(text, today);
assert.equal(all.length, 10_000);
const got = { ALREADY_ATT: 0, NOT_ATT: 0, WRONG_IDCARD: 0 };
for (const r of all) got[r.status] += 1;
assert.deepEqual(got, counts);
assert.deepEqual(lookupAll('\n110101199001011114\n', today).map((r) => r && r.status), [null, 'ALREADY_ATT']);
console.log('web/test/node.mjs: ok (10,000-row CSV:', JSON.stringify(got), ')');
