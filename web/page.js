// The page's own code; tools/bundle.mjs puts it after the wasm-bindgen glue (lookupJson,
// detailJson, lookupMany, version are in scope) in one module script.
const $ = (id) => document.getElementById(id);
const chinaToday = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
$('today').value = chinaToday();
$('version').textContent = version();
const today = () => $('today').value || chinaToday();

const el = (tag, text, cls) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};

function showOne() {
  const d = JSON.parse(detailJson($('one-input').value, today()));
  const box = $('one-result');
  box.replaceChildren();
  box.dataset.status = d.status;
  box.dataset.kind = d.kind ?? '';
  const valid = d.status === 'ALREADY_ATT' || d.status === 'NOT_ATT' || (d.kind !== null && d.error === null);
  box.dataset.valid = String(valid);
  box.append(el('p', `${valid ? '✓ 有效 valid' : '✗ 无效 invalid'} · ${d.kind_zh ?? '未识别的号码'} · ${d.status}`, valid ? 'ok' : 'bad'));
  const t = el('table');
  const row = (k, v) => { if (v !== null && v !== undefined && v !== '') { const tr = el('tr'); tr.append(el('th', k), el('td', String(v))); t.append(tr); } };
  row('出生日期 born', d.born);
  row('性别 sex', d.sex);
  row('周岁 age', d.age);
  row('归属地 att', d.att.trim());
  row('邮编 postno', d.postno);
  row('区号 areano', d.areano);
  if (d.document) {
    for (const [k, v] of Object.entries(d.document)) {
      if (k !== 'kind' && k !== 'number') row(k, typeof v === 'object' && v !== null ? Object.values(v).join(' ') : v);
    }
  }
  row('原因 reason', d.error);
  box.append(t);
}

const STATUSES = ['ALREADY_ATT', 'NOT_ATT', 'WRONG_IDCARD'];

/** Answers every line of `text`: [lines, answers (null for blank lines), counts]. */
function checkAll(text) {
  const answers = lookupMany(text, today()).split('\n');
  answers.pop();
  const counts = { ALREADY_ATT: 0, NOT_ATT: 0, WRONG_IDCARD: 0, WAIT_PROCESS: 0 };
  const parsed = answers.map((a) => (a === '' ? null : JSON.parse(a).result));
  for (const r of parsed) if (r) counts[r.status] += 1;
  return [parsed, counts];
}

function summary(box, parsed, counts) {
  const rows = parsed.filter((r) => r !== null).length;
  box.dataset.rows = String(rows);
  for (const s of STATUSES) box.dataset[s.toLowerCase().replace('_', '')] = String(counts[s]);
  box.replaceChildren(el('p', `${rows} 个号码 numbers: ${STATUSES.map((s) => `${s} ${counts[s]}`).join(' · ')}`));
}

$('one-check').addEventListener('click', showOne);
$('one-input').addEventListener('keydown', (e) => { if (e.key === 'Enter') showOne(); });

$('list-check').addEventListener('click', () => {
  const [parsed, counts] = checkAll($('list-input').value);
  summary($('list-summary'), parsed, counts);
  const t = el('table');
  const head = el('tr');
  for (const h of ['idcard', 'status', 'born', 'sex', 'att']) head.append(el('th', h));
  t.append(head);
  for (const r of parsed.slice(0, 1000)) {
    if (!r) continue;
    const tr = el('tr');
    for (const k of ['idcard', 'status', 'born', 'sex', 'att']) tr.append(el('td', r[k], k === 'status' ? (r.status === 'WRONG_IDCARD' ? 'bad' : 'ok') : undefined));
    t.append(tr);
  }
  $('list-result').replaceChildren(t);
});

const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function checkFile(file) {
  const box = $('file-summary');
  box.dataset.done = 'false';
  const text = await file.text();
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const [parsed, counts] = checkAll(lines.join('\n') + '\n');
  summary(box, parsed, counts);
  // The answers beside every input line, in order, as a file to save: nothing is dropped.
  const first = (lines[0] ?? '').split(/[,;\t]/)[0].replace(/^"|"$/g, '').trim();
  const header = first !== '' && !/\d/.test(first);
  const out = [];
  lines.forEach((line, i) => {
    if (i === 0 && header) { out.push(`${line},status,born,sex,att`); return; }
    const r = parsed[header ? i - 1 : i];
    out.push(r ? `${line},${r.status},${r.born},${r.sex},${csvField(r.att)}` : line);
  });
  const url = URL.createObjectURL(new Blob(['\ufeff' + out.join('\r\n') + '\r\n'], { type: 'text/csv' }));
  const a = el('a', `下载结果 Save the answers (${file.name.replace(/\.[^.]*$/, '')}-cnid.csv)`);
  a.href = url;
  a.download = `${file.name.replace(/\.[^.]*$/, '')}-cnid.csv`;
  box.append(a);
  box.dataset.done = 'true';
}

const zone = $('drop-zone');
zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
zone.addEventListener('dragleave', () => zone.classList.remove('over'));
zone.addEventListener('drop', (e) => {
  e.preventDefault();
  zone.classList.remove('over');
  const file = e.dataTransfer?.files?.[0];
  if (file) checkFile(file);
});
$('file-input').addEventListener('change', (e) => { const f = e.target.files[0]; if (f) checkFile(f); });
document.body.dataset.ready = 'true';
