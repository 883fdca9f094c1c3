"""Load test against a running MHU (gunicorn): a realistic mix of requests from concurrent clients.

Start the app first, e.g. with demo data in a fresh database (see bench/README.md, "Load"):

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --password "$(cat instance/demo_password)"

Phases (each --seconds long):
  1. healthz: GET /healthz from 8 clients (the ceiling every ratio is taken against);
  2. read:    GET /api/v1/calls/{id} from 8 clients;
  3. create:  POST /api/v1/calls from 8 clients;
  4. mix:     10 officers create, read and edit calls; 5 clinicians work the follow-up queue
              (worklist, attempts) and append notes; 5 supervisors change dashboard filters
              (metric summary and breakdowns for random periods, teams and districts).
Prints p50/p95/p99 (ms) and req/s per request type, the ratios to /healthz, and the RSS of the
server's worker processes (--server-pid: the gunicorn master; its children are read from /proc).
Plain threads and `requests`: no extra dependency.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

DISTRICTS = ("North", "South", "East", "West", "Central")


class Recorder:
    """Latencies and error counts per request type, shared by all client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)

    def timed(self, name, http, method, url, ok=(200, 201, 204), **kwargs):
        started = time.perf_counter()
        response = http.request(method, url, timeout=60, **kwargs)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[name].append(elapsed)
            if response.status_code not in ok:
                self.errors[name] += 1
        return response


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def table(recorder: Recorder, seconds: float) -> list[dict]:
    rows = []
    for name, values in sorted(recorder.times.items()):
        rows.append({"name": name, "count": len(values), "rps": len(values) / seconds,
                     "p50": 1000 * statistics.median(values), "p95": 1000 * percentile(values, 0.95),
                     "p99": 1000 * percentile(values, 0.99), "errors": recorder.errors[name]})
    return rows


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print("| request | count | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['name']} | {r['count']:,} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['errors']} |")


def token(url, email, password) -> dict:
    response = requests.post(f"{url}/api/v1/auth/token", json={"email": email, "password": password}, timeout=60)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def call_body(rng: random.Random) -> dict:
    received = datetime.now(timezone.utc) - timedelta(minutes=rng.randint(30, 600))
    return {
        "received_at": received.isoformat(), "dispatched_at": (received + timedelta(minutes=2)).isoformat(),
        "arrived_at": (received + timedelta(minutes=12)).isoformat(),
        "cleared_at": (received + timedelta(minutes=50)).isoformat(),
        "call_source": rng.choice(["911", "non_emergency", "988_transfer", "officer_request"]),
        "nature": rng.choice(["welfare_check", "mh_crisis", "suicide_threat"]),
        "presenting_problems": rng.sample(["acute_stress", "mood_disorder", "substance_use", "suicidal_ideation"], 2),
        "risk_flags": rng.sample(["intoxicated", "suicide_risk_current", "unsheltered"], 1),
        "arrestable_offense": "none", "district": rng.choice(DISTRICTS), "beat": "B1",
        "cit_officer_on_scene": True, "force_level": "none", "disposition": rng.choice(["resolved_on_scene", "notified_provider_or_family", "resources_declined"]),
        "followup_required": rng.random() < 0.5, "narrative": "Load test call.",
    }


def run_clients(clients, seconds: float) -> float:
    """Run each client(stop_at) in its own thread until the deadline; the wall time taken."""
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(stop_at,)) for client in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def phase_single(url, recorder, name, method, path_for, headers, body_for=None, clients=8, seconds=20.0):
    def client(stop_at):
        rng = random.Random()
        with requests.Session() as http:
            while time.monotonic() < stop_at:
                kwargs = {"headers": headers}
                if body_for:
                    kwargs["json"] = body_for(rng)
                recorder.timed(name, http, method, f"{url}{path_for(rng)}", **kwargs)
    return run_clients([client] * clients, seconds)


def officer(url, headers, recorder):
    def client(stop_at):
        rng = random.Random()
        with requests.Session() as http:
            while time.monotonic() < stop_at:
                created = recorder.timed("officer: POST /calls", http, "POST", f"{url}/api/v1/calls",
                                         headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, json=call_body(rng))
                if created.status_code != 201:
                    continue
                call_id = created.json()["id"]
                read = recorder.timed("officer: GET /calls/{id}", http, "GET", f"{url}/api/v1/calls/{call_id}",
                                      headers=headers)
                recorder.timed("officer: PATCH /calls/{id}", http, "PATCH", f"{url}/api/v1/calls/{call_id}",
                               headers={**headers, "If-Match": read.headers.get("ETag", '"1"')},
                               json={"disposition": rng.choice(["resolved_on_scene", "resources_declined"])})
    return client


def clinician(url, headers, recorder, call_ids):
    def client(stop_at):
        rng = random.Random()
        with requests.Session() as http:
            while time.monotonic() < stop_at:
                work = recorder.timed("clinician: GET /followups", http, "GET",
                                      f"{url}/api/v1/followups?status=open&scope=team&per_page=20", headers=headers)
                items = work.json().get("items", []) if work.status_code == 200 else []
                if items:
                    followup = rng.choice(items)
                    recorder.timed("clinician: POST attempt", http, "POST",
                                   f"{url}/api/v1/followups/{followup['id']}/attempts", headers=headers,
                                   json={"attempted_at": datetime.now(timezone.utc).isoformat(), "method": "phone"})
                if call_ids:
                    recorder.timed("clinician: POST note", http, "POST",
                                   f"{url}/api/v1/calls/{rng.choice(call_ids)}/notes", headers=headers,
                                   json={"body": "Follow-up call made; safety plan reviewed."})
    return client


def supervisor(url, headers, recorder, anchor: date):
    def client(stop_at):
        rng = random.Random()
        with requests.Session() as http:
            while time.monotonic() < stop_at:
                months = rng.choice([1, 3, 12])
                first = (anchor - timedelta(days=30 * months)).isoformat()
                query = f"from={first}&to={anchor.isoformat()}"
                if rng.random() < 0.5:
                    query += f"&district={rng.choice(DISTRICTS)}"
                recorder.timed("supervisor: GET /metrics/summary", http, "GET",
                               f"{url}/api/v1/metrics/summary?{query}", headers=headers)
                recorder.timed("supervisor: GET /metrics/breakdowns", http, "GET",
                               f"{url}/api/v1/metrics/breakdowns/disposition?{query}", headers=headers)
    return client


def worker_rss(master_pid: int | None) -> list[float]:
    """RSS (MB) of the gunicorn master's child processes, read from /proc."""
    if not master_pid:
        return []
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default=os.environ.get("MHU_DEMO_PASSWORD"))
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--server-pid", type=int, help="the gunicorn master's pid, for worker RSS")
    parser.add_argument("--anchor", default=date.today().isoformat(), help="end of the supervisors' periods")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    officer_h = token(url, "officer@example.org", args.password)
    clinician_h = token(url, "clinician@example.org", args.password)
    supervisor_h = token(url, "supervisor@example.org", args.password)
    some_calls = requests.get(f"{url}/api/v1/calls?per_page=200", headers=officer_h, timeout=60).json()["items"]
    call_ids = [c["id"] for c in some_calls]

    singles = Recorder()
    healthz_wall = phase_single(url, singles, "GET /healthz", "GET", lambda rng: "/healthz", {}, seconds=args.seconds)
    read_wall = phase_single(url, singles, "GET /api/v1/calls/{id}", "GET",
                             lambda rng: f"/api/v1/calls/{rng.choice(call_ids)}", officer_h, seconds=args.seconds)
    create_wall = phase_single(url, singles, "POST /api/v1/calls", "POST", lambda rng: "/api/v1/calls", officer_h,
                               body_for=call_body, seconds=args.seconds)
    rows = {r["name"]: r for r in table(singles, args.seconds)}
    for name, wall in (("GET /healthz", healthz_wall), ("GET /api/v1/calls/{id}", read_wall),
                       ("POST /api/v1/calls", create_wall)):
        rows[name]["rps"] = rows[name]["count"] / wall
    print_table("8 clients, one request type at a time", list(rows.values()))
    base = rows["GET /healthz"]["rps"]
    print(f"\nratios to /healthz: call read {rows['GET /api/v1/calls/{id}']['rps'] / base:.2f}x, "
          f"call create {rows['POST /api/v1/calls']['rps'] / base:.2f}x")

    mix = Recorder()
    anchor = date.fromisoformat(args.anchor)
    clients = ([officer(url, officer_h, mix)] * 10 + [clinician(url, clinician_h, mix, call_ids)] * 5
               + [supervisor(url, supervisor_h, mix, anchor)] * 5)
    wall = run_clients(clients, args.seconds)
    print_table(f"mix: 10 officers, 5 clinicians, 5 supervisors, {wall:.0f} s", table(mix, wall))
    sizes = worker_rss(args.server_pid)
    if sizes:
        print(f"\nworker RSS MB: {', '.join(f'{s:.0f}' for s in sizes)}")


if __name__ == "__main__":
    main()
