#!/usr/bin/python3
"""Optuna TPE side of `npm run bench -- conditional` (tests/bench/conditional.mjs).

Line protocol on stdin/stdout, one JSON object per line, so the functions are evaluated by the same
JavaScript code for every sampler:
  in:  {"space": [...docs/DESIGN.md section 3, with `when`...], "seed": s, "trials": n,
        "multivariate": bool}
  out: {"params": {...only active parameters...}}   in: {"value": v}      (n times)
  out: {"done": true}
Conditional parameters are suggested define-by-run, parents first, so TPE sees the tree as Optuna
users write it.
"""
import json
import math
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
# multivariate / group are experimental in Optuna 3.1; the warning says nothing about this run.
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def parents_first(space):
    by_name = {p["name"]: p for p in space}
    order, seen = [], set()

    def visit(p):
        if p["name"] in seen:
            return
        when = p.get("when")
        if when:
            visit(by_name[when["parent"]])
        seen.add(p["name"])
        order.append(p)

    for p in space:
        visit(p)
    return order


def suggest(trial, p):
    name, kind = p["name"], p["type"]
    if kind == "categorical":
        return trial.suggest_categorical(name, p["choices"])
    log = bool(p.get("log", False))
    if kind == "int":
        return trial.suggest_int(name, p["low"], p["high"], step=p.get("step", 1), log=log)
    return trial.suggest_float(name, p["low"], p["high"], step=p.get("step"), log=log)


def main():
    job = json.loads(sys.stdin.readline())
    order = parents_first(job["space"])
    multivariate = bool(job.get("multivariate", False))
    sampler = optuna.samplers.TPESampler(
        seed=job["seed"], multivariate=multivariate, group=multivariate
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    for _ in range(job["trials"]):
        trial = study.ask()
        params = {}
        for p in order:
            when = p.get("when")
            if when and (when["parent"] not in params or params[when["parent"]] not in when["values"]):
                continue
            params[p["name"]] = suggest(trial, p)
        sys.stdout.write(json.dumps({"params": params}) + "\n")
        sys.stdout.flush()
        value = json.loads(sys.stdin.readline())["value"]
        study.tell(trial, value if math.isfinite(value) else float("nan"))
    sys.stdout.write(json.dumps({"done": True}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
