"""Latency of the console's live worklist: a safety-alert event on Kafka -> its row on an
open worklist page in a real browser.

Starts (or reuses, KAFKA_BOOTSTRAP_SERVERS) a Kafka broker, creates the topics under a fresh
prefix, runs the console as its own process (`python -m carepath_console`), signs a clinician
in with Debian's Chromium (Playwright) and leaves the worklist open. Then publishes --alerts
`safety-alert` events on `infusion.events`, one every --gap seconds, each for its own patient.
A MutationObserver in the page stamps when each row is inserted; the latency is that stamp
minus the record's timestamp on Kafka (its CreateTime, from the producer's metadata). Both
clocks are this machine's wall clock.

    uv run python bench/console_live.py                  # 200 alerts, 50 ms apart
    uv run python bench/console_live.py --alerts 500 --gap 0.01

Not a test: it prints figures and exits.
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from playwright.async_api import async_playwright

from carepath_contracts import ALL_TOPICS, INFUSION_EVENTS, REGISTRY, SafetyAlert, to_record
from carepath_localkafka.ports import find_free_port
from carepath_runtime.topics_admin import delete_topics_with_prefix, ensure_topics
from carepath_testing.kafka import session_kafka_bootstrap

TOKEN = "bench-clinician-token"
OBSERVER = """
window.seen = {};
new MutationObserver((records) => {
  const at = performance.timeOrigin + performance.now();
  for (const record of records) {
    for (const node of record.addedNodes) {
      const link = node.querySelector && node.querySelector("a");
      if (link) { window.seen[link.textContent] = at; }
    }
  }
}).observe(document.getElementById("alerts"), {childList: true});
"""


def start_console(bootstrap: str, prefix: str, port: int, log: Path) -> subprocess.Popen:
    tokens = [{"subject": "bench-clinician", "role": "clinician", "token": TOKEN}]
    env = os.environ | {
        "CAREPATH_CONSOLE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "CAREPATH_CONSOLE_TOPIC_PREFIX": prefix,
        "CAREPATH_CONSOLE_HTTP_PORT": str(port),
        "CAREPATH_CONSOLE_TOKENS": json.dumps(tokens),
        "CAREPATH_CONSOLE_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "carepath_console"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"the console exited ({process.returncode})")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url + "/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise SystemExit("the console was not ready in time")


def alert(number: int):
    example = REGISTRY.spec_for(SafetyAlert).example()
    patient = f"p-bench{number:06d}"
    return example.model_copy(update={"subject": patient, "id": str(uuid.uuid4())}), patient


async def run(args: argparse.Namespace, bootstrap: str, scratch: Path) -> None:
    prefix = f"bench{os.getpid()}."
    await ensure_topics(bootstrap, {prefix + t.name: t.partitions for t in ALL_TOPICS})
    port = find_free_port()
    url = f"http://127.0.0.1:{port}"
    console = start_console(bootstrap, prefix, port, scratch / "console.log")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        await wait_ready(url, console)
        await producer.start()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox"]
            )
            page = await browser.new_page()
            await page.goto(url + "/login")
            await page.get_by_label("Token").fill(TOKEN)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_selector("body[data-live=open]", timeout=60_000)
            await page.evaluate(OBSERVER)
            on_kafka: dict[str, float] = {}
            for number in range(args.alerts):
                event, patient = alert(number)
                record = to_record(event, prefix=prefix)
                assert record.topic == prefix + INFUSION_EVENTS.name
                metadata = await producer.send_and_wait(
                    record.topic, record.value, key=record.key, headers=list(record.headers)
                )
                on_kafka[patient] = metadata.timestamp  # ms since the epoch (CreateTime)
                await asyncio.sleep(args.gap)
            deadline = time.monotonic() + 60
            seen: dict[str, float] = {}
            while time.monotonic() < deadline:
                seen = await page.evaluate("window.seen")
                if len(seen) >= args.alerts:
                    break
                await asyncio.sleep(0.2)
            await browser.close()
    finally:
        await producer.stop()
        console.terminate()
        console.wait(timeout=40)
        await delete_topics_with_prefix(bootstrap, prefix)
    latencies = sorted(seen[p] - on_kafka[p] for p in on_kafka if p in seen)
    missing = args.alerts - len(latencies)
    print(
        f"alerts published: {args.alerts}, {args.gap * 1000:.0f} ms apart; rows seen: "
        f"{len(latencies)} (missing {missing})"
    )
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        print(
            f"safety-alert on Kafka -> row on the open worklist (ms): "
            f"p50 {q[49]:.1f}  p90 {q[89]:.1f}  p99 {q[98]:.1f}  max {latencies[-1]:.1f}  "
            f"min {latencies[0]:.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between alerts")
    parser.add_argument(
        "--chromium", default=os.environ.get("CAREPATH_CHROMIUM", "/usr/bin/chromium")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-bench-") as folder:
        scratch = Path(folder)
        with session_kafka_bootstrap(scratch / "kafka") as bootstrap:
            asyncio.run(run(args, bootstrap, scratch))


if __name__ == "__main__":
    main()
