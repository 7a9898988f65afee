// Runs EngineBench's workloads on aws-local-stepfunctions and prints per-transition times (ms) as JSON.
// Usage: node als-bench.mjs <chainRuns> <mapRuns> <concurrentRounds> [warmupRuns]
import { StateMachine } from 'aws-local-stepfunctions';
import { chain, map, items } from './workloads.mjs';

const [chainRuns, mapRuns, rounds, warmupArg] = process.argv.slice(2).map(Number);
const warmup = Number.isFinite(warmupArg) ? warmupArg : 20;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const out = { engine: 'aws-local-stepfunctions@3.0.0', chain1000: [], map1000: [], concurrent100: [] };

async function timeRun(sm, input, transitions) {
  const t0 = now();
  const ex = sm.run(input);
  await ex.result;
  return (now() - t0) / transitions;
}

const chainSm = new StateMachine(chain(1000));
for (let i = 0; i < chainRuns + warmup; i++) {
  const v = await timeRun(chainSm, {}, 1000);
  if (i >= warmup) out.chain1000.push(v);
}
const mapSm = new StateMachine(map());
for (let i = 0; i < mapRuns + warmup; i++) {
  const v = await timeRun(mapSm, items(1000), 1001);
  if (i >= warmup) out.map1000.push(v);
}
const small = new StateMachine(chain(10));
for (let r = 0; r < rounds + 2; r++) {
  const runs = Array.from({ length: 100 }, () => timeRun(small, {}, 10));
  const vals = await Promise.all(runs);
  if (r >= 2) out.concurrent100.push(...vals);
}
console.log(JSON.stringify(out));
