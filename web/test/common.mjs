// Synthetic numbers for the tests, with check characters computed here from GB 11643-1999
// (not by the code under test).
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export const complete = (body) => body + '10X98765432'[[...body].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];
export const wrong = (body) => {
  const good = complete(body);
  return good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
};

/** A CSV of `rows` numbers (with a header): [text, expected counts by status]. */
export function csv(rows) {
  const counts = { ALREADY_ATT: 0, NOT_ATT: 0, WRONG_IDCARD: 0 };
  const lines = ['idcard,name'];
  for (let i = 0; i < rows; i += 1) {
    const day = String((i % 28) + 1).padStart(2, '0');
    const month = String((i % 12) + 1).padStart(2, '0');
    const seq = String(i % 1000).padStart(3, '0');
    let n;
    let s;
    switch (i % 5) {
      case 0: n = complete(`110101${1950 + (i % 60)}${month}${day}${seq}`); s = 'ALREADY_ATT'; break;
      case 1: n = complete(`512928${1960 + (i % 40)}${month}${day}${seq}`); s = 'ALREADY_ATT'; break;
      case 2: n = complete(`430419${1970 + (i % 30)}${month}${day}${seq}`); s = 'NOT_ATT'; break;
      case 3: n = wrong(`440305${1980 + (i % 20)}${month}${day}${seq}`); s = 'WRONG_IDCARD'; break;
      // Foreigners' permanent residence IDs (2023 form): Japan or the United States.
      default: n = complete(`911${i % 2 ? '840' : '392'}${1985 + (i % 20)}${month}${day}${seq}`); s = 'ALREADY_ATT';
    }
    counts[s] += 1;
    lines.push(`${n},"row ${i}, synthetic"`);
  }
  return [lines.join('\n') + '\n', counts];
}
