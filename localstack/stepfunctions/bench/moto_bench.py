"""Runs EngineBench's workloads on moto's Step Functions interpreter (derived from LocalStack's) in-process,
with real execution enabled (mock_aws config stepfunctions.execute_state_machine), and prints per-transition
times (ms) as JSON. Usage: python3 moto_bench.py <chainRuns> <mapRuns> <concurrentRounds>

Harness workaround: moto 5.x deep-copies the state machine on every StartExecution, and the copy follows
StateMachine.backend into every other execution, failing on their thread locks ("cannot pickle
'_thread.RLock'") from the second execution on. The copy below shares the backend instead of copying it, which
is what the clone is meant to do; each workload also gets a fresh mock_aws backend."""
import json
import sys
import time
import uuid

import copy

import boto3
import moto
import moto.stepfunctions.parser.models as moto_sfn_models
from moto import mock_aws


class _CloneWithoutBackend:
    @staticmethod
    def deepcopy(x, memo=None):
        memo = {} if memo is None else memo
        backend = getattr(x, "backend", None)
        if backend is not None:
            memo[id(backend)] = backend
        return copy.deepcopy(x, memo)


moto_sfn_models.copy = _CloneWithoutBackend

ROLE = "arn:aws:iam::123456789012:role/sfn"
CONFIG = {"stepfunctions": {"execute_state_machine": True}}


def chain(n):
    states = {}
    for i in range(n):
        states[f"S{i}"] = {"Type": "Pass", "Next": f"S{i + 1}"} if i + 1 < n else {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def map_def():
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}}}


def run_batch(definition, inputs, transitions):
    """Starts one execution per input on fresh state machines; returns per-transition ms for each."""
    with mock_aws(config=CONFIG):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        machines = [sfn.create_state_machine(name=f"sm{k}", definition=json.dumps(definition),
                                             roleArn=ROLE)["stateMachineArn"] for k in range(len(inputs))]
        starts = {}
        for sm, inp in zip(machines, inputs):
            t0 = time.perf_counter()
            arn = sfn.start_execution(stateMachineArn=sm, name=str(uuid.uuid4()), input=json.dumps(inp))["executionArn"]
            starts[arn] = t0
        pending = set(starts)
        ends = {}
        while pending:
            for a in list(pending):
                d = sfn.describe_execution(executionArn=a)
                if d["status"] != "RUNNING":
                    assert d["status"] == "SUCCEEDED", d
                    ends[a] = time.perf_counter()
                    pending.discard(a)
            time.sleep(0.0005)
        return [(ends[a] - starts[a]) * 1000 / transitions for a in starts]


def main(chain_runs, map_runs, rounds):
    out = {"engine": "moto " + moto.__version__, "chain1000": [], "map1000": [], "concurrent100": []}
    for i in range(chain_runs + 1):
        v = run_batch(chain(1000), [{}], 1000)
        if i >= 1:
            out["chain1000"].extend(v)
    for i in range(map_runs + 1):
        v = run_batch(map_def(), [{"items": list(range(1000))}], 1001)
        if i >= 1:
            out["map1000"].extend(v)
    for r in range(rounds + 1):
        v = run_batch(chain(10), [{}] * 100, 10)
        if r >= 1:
            out["concurrent100"].extend(v)
    print(json.dumps(out))


if __name__ == "__main__":
    main(*[int(x) for x in sys.argv[1:4]])
