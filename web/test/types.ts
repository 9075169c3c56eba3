// Compiled with `tsc --noEmit --strict` against index.d.ts: the types say what the
// answers hold (a wrong field name or type fails the build).
import { lookup, detail, lookupAll, loadSync, chinaToday, version, type IdcardResult, type Detail, type Status, type Kind } from '../index.js';

declare const bytes: Uint8Array;
loadSync(bytes);
const r: IdcardResult = lookup('110101199001011114', chinaToday());
const s: Status = r.status;
const born: string = r.born;
const d: Detail = detail('A123456(3)');
const k: Kind | null = d.kind;
const age: number | null = d.age;
const many: (IdcardResult | null)[] = lookupAll('110101199001011114\n');
const v: string = version();
export { s, born, k, age, many, v };
