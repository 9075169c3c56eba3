// Types of cnid-web (index.js).

/** The web API's four statuses. */
export type Status = 'ALREADY_ATT' | 'WAIT_PROCESS' | 'NOT_ATT' | 'WRONG_IDCARD';

/** The kind of document a number is. */
export type Kind =
  | 'resident_id'
  | 'hk_macao_residence_permit'
  | 'taiwan_residence_permit'
  | 'foreign_permanent_residence_id'
  | 'hong_kong_id'
  | 'macao_id'
  | 'taiwan_id'
  | 'hk_macao_travel_permit'
  | 'taiwan_travel_permit';

/** The `result` of the NowAPI idcard.get answer, as cnid writes it. */
export interface IdcardResult {
  status: Status;
  idcard: string;
  /** The 6-digit region code (the issuing province for a foreigners' permanent residence ID). */
  par: string;
  /** `1990年01月01日`, empty unless ALREADY_ATT. */
  born: string;
  sex: '男' | '女' | '';
  att: string;
  postno: string;
  areano: string;
  style_simcall: string;
  style_citynm: string;
  /** Present unless ALREADY_ATT. */
  msg?: string;
}

/** cnid's own answer. */
export interface Detail extends IdcardResult {
  kind: Kind | null;
  /** The document's Chinese name (`外国人永久居留身份证`). */
  kind_zh: string | null;
  /** Why the number is wrong, without the number; null when valid. */
  error: string | null;
  /** Age in full years (周岁, counted from the day after the birthday) on `today`. */
  age: number | null;
  /** What the number says, by kind (nationality, place, sex …). */
  document?: { kind: Kind; number: string; [field: string]: unknown };
}

/** Loads the WebAssembly module (browser: fetched next to index.js, or from `source`). */
export function load(source?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** Loads the WebAssembly module from its bytes or a compiled module. */
export function loadSync(bytes: BufferSource | WebAssembly.Module): void;
/** Today's date in China (UTC+8) as YYYY-MM-DD. */
export function chinaToday(now?: Date): string;
/** The web API's `result` for one number; `today` (YYYY-MM-DD) is the latest birth date. */
export function lookup(input: string, today?: string): IdcardResult;
/** cnid's own answer for one number. */
export function detail(input: string, today?: string): Detail;
/** One result per line of `text` (first CSV field); null for a blank line. */
export function lookupAll(text: string, today?: string): (IdcardResult | null)[];
/** cnid's version and the version of its region data. */
export function version(): string;
