// A browser client's JSONP call as jQuery makes it (`jsoncallback=jQuery…&_=…`), with the
// answer run as a script the way a <script> tag would run it; and a fetch() client.
// Run by .ci/steps/40-serve.sh with CNID_URL set.
import vm from "node:vm";

const base = process.env.CNID_URL;
const id = "110101199001011114";
const cb = "jQuery3710123456789_1733000000000";
const res = await fetch(`${base}/?app=idcard.get&idcard=${id}&format=json&jsoncallback=${cb}&_=1733000000001`);
const type = res.headers.get("content-type");
let got = null;
vm.runInNewContext(await res.text(), { [cb]: (data) => { got = data; } });
console.log(`jsonp ${type} ${got.success} ${got.result.status} ${got.result.idcard}`);

// fetch(): CORS header, JSON body.
const plain = await fetch(`${base}/?app=idcard.get&idcard=${id}`);
const j = await plain.json();
console.log(`fetch ${plain.headers.get("access-control-allow-origin")} ${j.success} ${j.result.status} ${j.result.att}`);
