import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
const p = import('log-update');
const delay = Number(process.argv[2]);
const go = () => { try { const m = req(process.argv[3] ?? 'log-update'); console.log('sync ok', typeof m.createLogUpdate); } catch (e) { console.log('sync fail', e.code, e.message.slice(0, 200)); } };
if (delay < 0) go(); else setTimeout(go, delay);
p.then((m) => console.log('async ok', typeof m.createLogUpdate), (e) => console.log('async fail', e.message));
