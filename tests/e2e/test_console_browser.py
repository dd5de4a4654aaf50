"""The console in a real browser (Debian's Chromium driven by Playwright) against the running
stack: sign in, see an urgent review appear live while a simulated patient worsens, open the
patient, see the chart, record the outcome, and see the pathway go on (a maintenance series).
Screenshots of the worklist, the patient page and the operations page are saved as artifacts
(`CAREPATH_CONSOLE_SCREENSHOTS`, default var/artifacts/console)."""

import asyncio
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from carepath_contracts import INTAKE_DLQ, INTAKE_INBOUND, ReviewOutcomeSubmitted
from carepath_simulator.outside import ReviewDesk
from carepath_simulator.scenarios import Scenario
from carepath_simulator.simulation import Simulation, StackAccess
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce, read_until

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

CHROMIUM = os.environ.get("CAREPATH_CHROMIUM", "/usr/bin/chromium")
WAIT_MS = 60_000  # longest wait for anything to show up on a page


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("CAREPATH_CONSOLE_SCREENSHOTS", "var/artifacts/console"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class PersonAtTheConsole(ReviewDesk):
    """Leaves every worsening review to the person at the console (the browser) and waits,
    with the simulated clock stopped, until follow-up has their outcome; answers the rest as
    the simulator always does."""

    def __init__(self, base_url: str, *, clinician_token: str) -> None:
        super().__init__(base_url, clinician_token=clinician_token)
        self.left_to_person: list[str] = []

    async def answer(self, answer: ReviewOutcomeSubmitted, traceparent: str = "") -> None:
        path = f"/v1/reviews/{answer.review_id}"
        review = (await self._client.get(path, headers=self._clinician)).json()
        if review["reason"] != "worsening":
            await super().answer(answer, traceparent)
            return
        self.left_to_person.append(answer.review_id)

        async def resolved() -> bool:
            response = await self._client.get(path, headers=self._clinician)
            return response.json()["resolved_at"] is not None

        await eventually(resolved, timeout=180, what=f"an outcome for {answer.review_id}")


def off_the_browsers_loop(coroutine):
    """Playwright's sync API runs an event loop on this thread: other async work runs on one
    of its own."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def sign_in(browser, stack, role: str):
    page = browser.new_context(viewport={"width": 1180, "height": 900}).new_page()
    page.goto(stack.service("console").url + "/login")
    page.get_by_label("Token").fill(stack.tokens[role])
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_clinician_sees_a_worsening_live_and_records_the_outcome_in_the_browser(stack, chromium):
    shots = screenshots_dir()
    page = sign_in(chromium, stack, "clinician")
    assert page.url.endswith("/worklist")
    page.wait_for_selector("body[data-live=open]", timeout=WAIT_MS)
    page.evaluate("window.notReloaded = true")

    desk = PersonAtTheConsole(
        stack.service("followup").url, clinician_token=stack.tokens["clinician"]
    )
    access = StackAccess.of(stack)
    simulation = Simulation(access, [Scenario.MAINTENANCE_SERIES], seed=17, desk=desk)
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = asyncio.run(simulation.run())
        except BaseException as error:  # reported by the test below
            outcome["error"] = error

    worsening = threading.Thread(target=run, name="simulated-worsening")
    worsening.start()
    try:
        # The urgent review appears on the open worklist, without a reload.
        row = page.locator("#reviews tr.urgency-urgent", has_text="worsening").first
        row.wait_for(timeout=WAIT_MS * 2)
        assert page.evaluate("window.notReloaded") is True
        page.screenshot(path=shots / "worklist.png", full_page=True)

        row.get_by_role("link").click()
        page.wait_for_selector("#pcl5-chart")
        assert page.locator("#pcl5-chart circle.point").count() >= 3  # baseline and scores
        assert page.locator("#pcl5-chart .level.response").count() == 1
        assert page.locator("#pcl5-chart .marker.review").count() >= 1
        assert "review opened (urgent): worsening" in page.locator("#timeline").inner_text()
        page.screenshot(path=shots / "patient.png", full_page=True)

        form = page.locator("form.outcome").filter(has_text="worsening")
        form.get_by_role("radio", name="start maintenance").check()
        form.get_by_label("Maintenance interval").fill("14")
        form.get_by_role("button", name="Record outcome").click()
        page.wait_for_selector("text=review outcome: start_maintenance")
    finally:
        worsening.join(timeout=240)
    assert not worsening.is_alive(), "the simulated pathway did not finish"
    assert "error" not in outcome, outcome.get("error")
    assert desk.left_to_person, "no worsening review was left to the browser"

    # The pathway went on: the maintenance series the clinician started was given.
    page.reload()
    timeline = page.locator("#timeline").inner_text()
    decided = timeline.index("review outcome: start_maintenance")
    given = re.search(r"maintenance infusion \d+: completed", timeline)
    assert given is not None and given.start() > decided, timeline[-2000:]
    assert "ended by maintenance_series_completed" in timeline
    (patient,) = outcome["result"].patients
    assert patient.outcome == patient.script.expected, patient.decisions
    assert "review answered: start_maintenance" in patient.decisions


def test_an_operator_sees_every_service_and_replays_a_dead_letter_and_no_patient_data(
    stack, pathways, chromium
):
    """After the pathways (whose tests want no dead letter): a record intake cannot read is
    dead-lettered; the operator sees it with its reason and sends it back with the button."""
    result, _, _ = pathways
    page = sign_in(chromium, stack, "operator")
    assert page.url.endswith("/operations")
    for service in ("intake", "infusion", "followup"):
        assert "ready" in page.locator(f"#service-{service}").inner_text()

    inbound = stack.topic_prefix + INTAKE_INBOUND.name
    unreadable = b"not a CloudEvent"
    off_the_browsers_loop(produce(stack.bootstrap, inbound, [(b"p-consoledlq", unreadable, [])]))
    dlq = stack.topic_prefix + INTAKE_DLQ.name
    off_the_browsers_loop(
        read_until(stack.bootstrap, dlq, lambda got: any(r.value == unreadable for r in got))
    )
    page.reload()
    rows = page.locator("#dlq-intake tbody tr")
    before = rows.count()
    assert before >= 1
    newest = rows.last
    assert inbound in newest.inner_text()  # where it came from, and why
    assert newest.locator("td.reason").inner_text().strip()
    page.screenshot(path=screenshots_dir() / "operations.png", full_page=True)

    newest.get_by_role("button", name="Replay").click()
    assert f"sent back to {inbound}" in page.locator(".notice").inner_text()
    # Still unreadable: intake dead-letters it again, which the page shows on reload.
    off_the_browsers_loop(
        read_until(stack.bootstrap, dlq, lambda got: sum(r.value == unreadable for r in got) >= 2)
    )
    page.goto(stack.service("console").url + "/operations")
    assert page.locator("#dlq-intake tbody tr").count() == before + 1

    text = page.locator("main").inner_text()
    assert "p-consoledlq" not in text  # a dead letter is shown without its key
    assert not [p.patient_id for p in result.patients if p.patient_id in text]
    # A clinician's page is not the operator's.
    page.goto(stack.service("console").url + "/worklist")
    assert "Not for this role" in page.content()
