# ruff: noqa: S608  (set-based SQL: table names from the models' _meta, every value a parameter)
"""RFID scan benchmark: readers' batches of card reads answered by the enforcement API
(`POST /api/ezbike/scans/`) on gunicorn + PostgreSQL + Redis, against a bare DRF view
answering the same batches from a Python dict on the same server in the same run.

Setup (not timed): a fresh database `kcc_bench_rfid` (BENCH_RFID_DB) on the PostgreSQL
server of DATABASE_URL (else postgres://postgres@127.0.0.1:5432), migrated; N e-bikes
built by INSERT … SELECT over generate_series — owners, vehicles over the 31 wards (one in
five carrying goods), licences for the current fiscal year (93% active, 4% suspended, 1%
seized, 2% expired), a card in use on each, 1% with a replaced (blacklisted) card — and the
card lookup rows the API reads, from the same rows in one statement; a scan device
registered through the service. The reads: 85% cards in use, 5% blacklisted cards, 10%
UIDs the register does not know, read "now".

Timed, with 20 concurrent clients (threads, one keep-alive session each) posting batches
of 50 reads (each read its own sequence number):
1. throughput: the bare view, then the API, each over all M reads as fast as the clients
   go: reads per second (accepted reads for the API) and the batches' p50/p99;
2. latency at the aim: the API again with the clients paced to post 2,000 reads a second
   together (--rate; each client one batch every 20 × 50 / rate seconds): p99 of a batch's
   round trip under that load. Saturated, every closed-loop client waits for the other 19
   in the queue (Little's law: latency = clients ÷ throughput), so a saturated p99 says
   how fast the server is, not how long a gate waits; it is printed on the details line.
Afterwards every read must be stored once (sightings = M + the paced reads, none twice) and
every answer must be what the register says (checked for a sample of each status).

Last line: `rfid_scans: reads=N reads_per_s=… p99_batch_ms=… bare_reads_per_s=… ratio=…`
(ratio = reads_per_s ÷ bare_reads_per_s).

    python -m bench.rfid_scans [--vehicles 100000] [--reads 200000] [--clients 20]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import random
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench._db import drop_database, fresh_database, server_url
from bench.ipn import _free_port, _gunicorn, _wait_healthy

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_RFID_DB", "kcc_bench_rfid")
BATCH = 50


def _say(text: str) -> None:
    print(f"  rfid_scans: {text}", flush=True)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


# --- the database -----------------------------------------------------------------------------


def _build(n: int) -> None:
    """N e-bikes with owners, licences, cards and lookup rows, set-based."""
    from django.db import connection

    from core.fiscal import current_fiscal_year, next_fiscal_year
    from core.models import Ward
    from ezbike import models as m
    from ezbike.defaults import ensure_schedule

    fy = current_fiscal_year()
    until = ensure_schedule(next_fiscal_year(fy)).renewal_deadline
    t = {
        model.__name__: model._meta.db_table
        for model in (Ward, m.Owner, m.Vehicle, m.Licence, m.RfidCard, m.CardLookup)
    }
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {t["Owner"]} (nid, name_bn, name_en, mobile, nid_address, nid_ward_id,
                                      photo, created_at)
            SELECT '9' || lpad(g::text, 12, '0'), '', 'Owner ' || g, '', '', w.id, '', now()
            FROM generate_series(1, %s) g JOIN {t["Ward"]} w ON w.number = 1 + g %% 31
            """,
            [n],
        )
        cur.execute(
            f"""
            INSERT INTO {t["Vehicle"]} (owner_id, vehicle_type, ward_id, chassis_no, motor_no,
                                        battery_count, maker, licence_no, plate_no, created_at)
            SELECT o.id, CASE WHEN o.id % 5 = 0 THEN 'goods' ELSE 'passenger' END,
                   o.nid_ward_id, 'CH' || o.id, 'MO' || o.id, 4, 'Bench',
                   'KCC-EB-' || lpad(o.id::text, 6, '0'),
                   'KCC-' || CASE WHEN o.id % 5 = 0 THEN 'G' ELSE 'P' END || '-'
                       || lpad(w.number::text, 2, '0') || '-' || lpad(o.id::text, 6, '0'),
                   now()
            FROM {t["Owner"]} o JOIN {t["Ward"]} w ON w.id = o.nid_ward_id
            """
        )
        cur.execute(
            f"""
            INSERT INTO {t["Licence"]} (vehicle_id, fiscal_year, kind, status, valid_until,
                                        applied_at)
            SELECT v.id, %s, 'new',
                   CASE WHEN v.id %% 100 < 93 THEN 'active' WHEN v.id %% 100 < 97 THEN 'suspended'
                        WHEN v.id %% 100 < 98 THEN 'seized' ELSE 'expired' END,
                   %s, now()
            FROM {t["Vehicle"]} v
            """,
            [fy, until],
        )
        # A card in use on each; one in a hundred also has its replaced card, blacklisted.
        cur.execute(
            f"""
            INSERT INTO {t["RfidCard"]} (uid, vehicle_id, status, bound_at, blacklisted_at,
                                         blacklist_reason)
            SELECT 'B0' || upper(lpad(to_hex(v.id), 8, '0')), v.id, 'in_use', now(), NULL, ''
            FROM {t["Vehicle"]} v
            UNION ALL
            SELECT 'B1' || upper(lpad(to_hex(v.id), 8, '0')), v.id, 'blacklisted', now(), now(),
                   'Lost'
            FROM {t["Vehicle"]} v WHERE v.id % 100 = 42
            """
        )
        cur.execute(
            f"""
            INSERT INTO {t["CardLookup"]} (uid, status, plate, vehicle_type, ward, valid_until)
            SELECT c.uid,
                   CASE WHEN c.status = 'blacklisted' THEN 'blacklisted'
                        WHEN l.status = 'active' THEN 'valid'
                        WHEN l.status IN ('suspended', 'seized') THEN 'suspended'
                        ELSE 'expired' END,
                   v.plate_no, v.vehicle_type, w.number,
                   CASE WHEN c.status = 'in_use' AND l.status = 'active' THEN l.valid_until END
            FROM {t["RfidCard"]} c
            JOIN {t["Vehicle"]} v ON v.id = c.vehicle_id
            JOIN {t["Ward"]} w ON w.id = v.ward_id
            JOIN {t["Licence"]} l ON l.vehicle_id = v.id
            """
        )
        for name in ("Owner", "Vehicle", "Licence", "RfidCard", "CardLookup"):
            cur.execute(f"ANALYZE {t[name]}")


def _uids() -> tuple[list[str], list[str]]:
    from ezbike.models import RfidCard

    in_use = list(RfidCard.objects.filter(status="in_use").values_list("uid", flat=True))
    blacklisted = list(RfidCard.objects.filter(status="blacklisted").values_list("uid", flat=True))
    return in_use, blacklisted


def _batches(reads: int, in_use: list[str], blacklisted: list[str], seed: int) -> list[list[str]]:
    """The UIDs read, in batches: 85% in use, 5% blacklisted, 10% unknown."""
    rng = random.Random(seed)
    uids = []
    for _ in range(reads):
        roll = rng.random()
        if roll < 0.85:
            uids.append(rng.choice(in_use))
        elif roll < 0.90:
            uids.append(rng.choice(blacklisted))
        else:
            uids.append("C0" + f"{rng.getrandbits(32):08X}")
    return [uids[i : i + BATCH] for i in range(0, len(uids), BATCH)]


# --- the clients ------------------------------------------------------------------------------


class Seq:
    """The device's sequence numbers, one per read, never twice."""

    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> int:
        with self._lock:
            first = self._next
            self._next += n
            return first


def _post_all(
    url: str,
    batches: list[list[str]],
    *,
    clients: int,
    token: str | None,
    seq: Seq,
    interval: float = 0.0,
) -> dict:
    """Post every batch with `clients` threads (each waiting `interval` seconds between the
    starts of its posts when paced); latencies and counts."""
    todo: queue.Queue[list[str]] = queue.Queue()
    for batch in batches:
        todo.put(batch)
    latencies: list[float] = []
    failures: list[str] = []
    counts = {"accepted": 0, "duplicates": 0, "results": 0}
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Device {token}"
    start_gate = threading.Barrier(clients)

    def client(offset: float) -> None:
        session = requests.Session()
        mine: list[float] = []
        accepted = duplicates = results = 0
        start_gate.wait()
        next_at = time.perf_counter() + offset
        while True:
            try:
                batch = todo.get_nowait()
            except queue.Empty:
                break
            if interval:
                pause = next_at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                next_at += interval
            first = seq.take(len(batch))
            now = datetime.now(UTC).isoformat()
            body = json.dumps(
                {
                    "reads": [
                        {"uid": u, "read_at": now, "seq": first + i} for i, u in enumerate(batch)
                    ]
                }
            )
            began = time.perf_counter()
            try:
                response = session.post(url, data=body, headers=headers, timeout=30)
            except requests.RequestException as exc:
                failures.append(str(exc))
                continue
            mine.append(time.perf_counter() - began)
            if response.status_code != 200:
                failures.append(f"HTTP {response.status_code}: {response.text[:200]}")
                continue
            answer = response.json()
            accepted += answer["accepted"]
            duplicates += answer["duplicates"]
            results += len(answer["results"])
        with lock:
            latencies.extend(mine)
            counts["accepted"] += accepted
            counts["duplicates"] += duplicates
            counts["results"] += results

    threads = [
        threading.Thread(target=client, args=(interval * i / clients,)) for i in range(clients)
    ]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    if failures:
        raise SystemExit(f"{len(failures)} batches failed at {url}, e.g. {failures[:3]}")
    reads = sum(len(b) for b in batches)
    if counts["results"] != reads:
        raise SystemExit(f"{url}: {counts['results']} answers for {reads} reads")
    return {
        **counts,
        "reads": reads,
        "seconds": elapsed,
        "reads_per_s": reads / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


# --- checks -----------------------------------------------------------------------------------


def _check(web: str, token: str, expected_sightings: int) -> None:
    """Every read stored once; the answers are the register's (a sample of each status)."""
    from django.db.models import Count

    from ezbike.models import CardLookup, Sighting

    stored = Sighting.objects.count()
    if stored != expected_sightings:
        raise SystemExit(f"{stored} sightings stored for {expected_sightings} reads")
    twice = Sighting.objects.values("device", "seq").annotate(n=Count("id")).filter(n__gt=1)
    if twice.exists():
        raise SystemExit("a read was stored twice")
    sample = []
    for status in ("valid", "suspended", "expired", "blacklisted"):
        sample += [
            (uid, status)
            for uid in CardLookup.objects.filter(status=status).values_list("uid", flat=True)[:3]
        ]
    sample.append(("C0FFFFFFFF", "unknown"))
    reads = [
        {"uid": uid, "read_at": datetime.now(UTC).isoformat(), "seq": 10**12 + i}
        for i, (uid, _status) in enumerate(sample)
    ]
    answer = requests.post(
        web + "/api/ezbike/scans/",
        json={"reads": reads},
        headers={"Authorization": f"Device {token}"},
        timeout=30,
    ).json()
    got = [(r["uid"], r["status"]) for r in answer["results"]]
    if got != sample:
        raise SystemExit(f"wrong answers: {got} for {sample}")
    again = requests.post(
        web + "/api/ezbike/scans/",
        json={"reads": reads},
        headers={"Authorization": f"Device {token}"},
        timeout=30,
    ).json()
    if (again["accepted"], again["duplicates"]) != (0, len(reads)):
        raise SystemExit(f"a replayed batch was counted again: {again}")


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--vehicles", type=int, default=int(os.environ.get("BENCH_VEHICLES", "100000"))
    )
    parser.add_argument("--reads", type=int, default=int(os.environ.get("BENCH_READS", "200000")))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=float, default=2000.0, help="reads a second, paced phase")
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args(argv if argv is not None else [])

    server = server_url()
    database = fresh_database(server, DB_NAME)
    var_dir = ROOT / "var" / "bench"
    shutil.rmtree(var_dir / "broker", ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    web = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KCC_VAR_DIR": str(var_dir),
        "SITE_URL": web,
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ezbike.services import device_register

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _build(args.vehicles)
    _device, token = device_register(name="Bench gate", place="Shibbari crossing")
    in_use, blacklisted = _uids()
    batches = _batches(args.reads, in_use, blacklisted, seed=args.vehicles)
    paced_reads = int(args.rate * args.paced_seconds)
    paced = _batches(paced_reads, in_use, blacklisted, seed=args.vehicles + 1)
    connection.close()
    cards = len(in_use) + len(blacklisted)
    _say(f"setup {time.perf_counter() - started:.1f} s: {args.vehicles} e-bikes, {cards} cards")

    server_proc = _gunicorn(port, env, workers=args.workers, threads=args.threads)
    seq = Seq()
    try:
        _wait_healthy(web)
        # Warm both endpoints in every worker (the bare view loads its dict once).
        warm = batches[: 4 * args.clients]
        _post_all(web + "/bench/scans-bare/", warm, clients=args.clients, token=None, seq=Seq())
        _post_all(web + "/api/ezbike/scans/", warm, clients=args.clients, token=token, seq=seq)
        bare = _post_all(
            web + "/bench/scans-bare/", batches, clients=args.clients, token=None, seq=Seq()
        )
        _say(
            f"bare: {bare['reads_per_s']:.0f} reads/s, batch p50 {bare['p50_ms']:.1f} ms, "
            f"p99 {bare['p99_ms']:.1f} ms"
        )
        api = _post_all(
            web + "/api/ezbike/scans/", batches, clients=args.clients, token=token, seq=seq
        )
        _say(
            f"api (saturated): {api['reads_per_s']:.0f} reads/s, batch p50 {api['p50_ms']:.1f} ms, "
            f"p99 {api['p99_ms']:.1f} ms, accepted {api['accepted']}, "
            f"duplicates {api['duplicates']}"
        )
        interval = args.clients * BATCH / args.rate
        at_aim = _post_all(
            web + "/api/ezbike/scans/",
            paced,
            clients=args.clients,
            token=token,
            seq=seq,
            interval=interval,
        )
        _say(
            f"api (paced at {args.rate:.0f} reads/s): {at_aim['reads_per_s']:.0f} reads/s, "
            f"batch p50 {at_aim['p50_ms']:.1f} ms, p99 {at_aim['p99_ms']:.1f} ms"
        )
        if api["accepted"] != api["reads"] or at_aim["accepted"] != at_aim["reads"]:
            raise SystemExit("reads were not all accepted")
        _check(web, token, expected_sightings=len(warm) * BATCH + api["reads"] + at_aim["reads"])
    finally:
        server_proc.terminate()
        try:
            server_proc.wait(timeout=30)
        except Exception:  # noqa: BLE001 - the benchmark is over either way
            server_proc.kill()
        connection.close()
        if not args.keep:
            with contextlib.suppress(Exception):
                drop_database(server, DB_NAME)
    ratio = api["reads_per_s"] / bare["reads_per_s"]
    print(
        f"rfid_scans: details clients={args.clients} batch={BATCH} "
        f"saturated_p50_ms={api['p50_ms']:.1f} saturated_p99_ms={api['p99_ms']:.1f} "
        f"paced_rate={args.rate:.0f} paced_p50_ms={at_aim['p50_ms']:.1f} "
        f"bare_p99_ms={bare['p99_ms']:.1f} load_avg_1min={os.getloadavg()[0]:.2f}"
    )
    print(
        f"rfid_scans: reads={api['reads']} reads_per_s={api['reads_per_s']:.0f} "
        f"p99_batch_ms={at_aim['p99_ms']:.1f} bare_reads_per_s={bare['reads_per_s']:.0f} "
        f"ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
