"""What the chaos run compares: the records of an undisturbed run and of a run under faults.

Both runs start from empty stacks on the same controlled clock with the same seeded cohort,
so a patient's pathway is the same moments and the same content in both; only identifiers
differ (patient, pathway, session, event ids are random). Each patient's records are put in
a canonical form: in clinical-time order, every `*_id` value replaced by the ordinal of its
first appearance in that patient's records. An effect (a record a service published) is then
its type, time and canonical data, and the two runs are compared as multisets per patient.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import ConsumerRecord

from carepath_simulator.patient import SimulatedPatient

# Data fields that name the thing an effect is about (with its cause: its business key).
KEY_FIELDS = (
    "session_number",
    "timepoint",
    "kind",
    "instrument",
    "reason_code",
    "outcome",
    "final",
    "rule",
)


@dataclass
class RunRecords:
    """One run's records, read from every topic once the run has ended."""

    patients: list[SimulatedPatient]
    effects: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # by patient number
    facts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    republished: int = 0  # copies of an event id already on the topic
    republished_changed: int = 0  # of which with other content
    dead_letters: int = 0

    @classmethod
    def read(cls, patients: list[SimulatedPatient], records: Iterable[ConsumerRecord]):
        run = cls(patients)
        number_of = {patient.patient_id: patient.number for patient in patients}
        seen: dict[str, bytes] = {}
        effects: dict[int, list] = defaultdict(list)
        facts: dict[int, list] = defaultdict(list)
        for record in records:
            if record.topic.endswith(".dlq"):
                run.dead_letters += 1
                continue
            inbound = record.topic.endswith(".inbound")
            if not (inbound or record.topic.endswith(".events")):
                continue
            event = json.loads(record.value)
            if event["id"] in seen:
                run.republished += 1
                run.republished_changed += seen[event["id"]] != record.value
                continue
            seen[event["id"]] = record.value
            number = number_of.get(event.get("subject"))
            if number is not None:
                (facts if inbound else effects)[number].append(event)
        run.effects, run.facts = dict(effects), dict(facts)
        return run

    def canonical(self, number: int) -> tuple[Counter, dict[str, str]]:
        """The patient's effects as a multiset of canonical forms, and each event id's form."""
        events = sorted(
            self.effects.get(number, []) + self.facts.get(number, []),
            key=lambda e: (e["time"], e["type"], _without_ids(e["data"])),
        )
        ordinals: dict[str, str] = {}
        forms: dict[str, str] = {}
        for event in events:
            forms[event["id"]] = json.dumps(
                [event["type"], event["time"], _replace_ids(event["data"], ordinals)],
                sort_keys=True,
            )
        effect_ids = {e["id"] for e in self.effects.get(number, [])}
        return Counter(forms[i] for i in forms if i in effect_ids), forms


def _without_ids(data: Any) -> str:
    return json.dumps(_replace_ids(data, None), sort_keys=True)


def _replace_ids(data: Any, ordinals: dict[str, str] | None) -> Any:
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key.endswith("_id") and isinstance(value, str):
                if ordinals is None:
                    out[key] = "#"
                else:
                    out[key] = ordinals.setdefault(value, f"#{len(ordinals)}")
            else:
                out[key] = _replace_ids(value, ordinals)
        return out
    if isinstance(data, list):
        return [_replace_ids(item, ordinals) for item in data]
    return data


@dataclass
class Comparison:
    patients: int
    finished: int
    finished_undisturbed: int
    outcomes_equal: int
    keys_with_two_ids: int
    keys_with_two_ids_undisturbed: int
    republished: int
    republished_changed: int
    facts_without_effect: int
    effects_not_undisturbed: int
    undisturbed_effects_missing: int
    dead_letters: int
    dead_letters_undisturbed: int

    @property
    def clean(self) -> bool:
        return (
            self.finished == self.patients
            and self.outcomes_equal == self.patients
            and not self.keys_with_two_ids
            and not self.republished_changed
            and not self.facts_without_effect
            and not self.effects_not_undisturbed
            and not self.undisturbed_effects_missing
            and not self.dead_letters
        )


def compare(undisturbed: RunRecords, faulted: RunRecords) -> Comparison:
    base_by_number = {p.number: p for p in undisturbed.patients}
    outcomes_equal = sum(
        _outcome(p) == _outcome(base_by_number[p.number]) for p in faulted.patients
    )
    extra = missing = without_effect = 0
    for patient in faulted.patients:
        base_effects, base_forms = undisturbed.canonical(patient.number)
        effects, forms = faulted.canonical(patient.number)
        extra += sum((effects - base_effects).values())
        missing += sum((base_effects - effects).values())
        without_effect += _facts_without_effect(
            undisturbed, base_forms, faulted, forms, patient.number
        )
    return Comparison(
        patients=len(faulted.patients),
        finished=sum(p.finished for p in faulted.patients),
        finished_undisturbed=sum(p.finished for p in undisturbed.patients),
        outcomes_equal=outcomes_equal,
        keys_with_two_ids=_keys_with_two_ids(faulted),
        keys_with_two_ids_undisturbed=_keys_with_two_ids(undisturbed),
        republished=faulted.republished,
        republished_changed=faulted.republished_changed,
        facts_without_effect=without_effect,
        effects_not_undisturbed=extra,
        undisturbed_effects_missing=missing,
        dead_letters=faulted.dead_letters,
        dead_letters_undisturbed=undisturbed.dead_letters,
    )


def differences(undisturbed: RunRecords, faulted: RunRecords, limit: int = 10) -> list[str]:
    """Examples of effects that differ: `-` only undisturbed, `+` only under faults."""
    lines = []
    for patient in faulted.patients:
        base, _ = undisturbed.canonical(patient.number)
        now, _ = faulted.canonical(patient.number)
        for sign, forms in (("-", base - now), ("+", now - base)):
            lines += [f"patient {patient.number} {sign} {form}" for form in sorted(forms)]
        if len(lines) >= limit:
            break
    return lines[:limit]


def _outcome(patient: SimulatedPatient) -> tuple:
    return (patient.outcome, tuple(patient.decisions))


def _keys_with_two_ids(run: RunRecords) -> int:
    return len(keys_with_two_ids(run))


def keys_with_two_ids(run: RunRecords) -> list[tuple]:
    """Effects of one cause with the same business key under more than one event id."""
    ids: dict[tuple, set[str]] = defaultdict(set)
    for events in run.effects.values():
        for event in events:
            data = event["data"]
            key = (
                event["subject"],
                event["type"],
                event.get("causationid"),
                tuple((k, str(v)) for k, v in sorted(data.items()) if k.endswith("_id")),
                tuple((k, str(data.get(k))) for k in KEY_FIELDS),
            )
            ids[key].add(event["id"])
    return [key for key, found in ids.items() if len(found) > 1]


def _facts_without_effect(undisturbed, base_forms, faulted, forms, number) -> int:
    """Incoming facts that had an effect in the undisturbed run and have none now."""

    def caused(run: RunRecords, form_of: dict[str, str]) -> Counter:
        causes = {e.get("causationid") for e in run.effects.get(number, [])}
        return Counter(form_of[f["id"]] for f in run.facts.get(number, []) if f["id"] in causes)

    def all_facts(run: RunRecords, form_of: dict[str, str]) -> Counter:
        return Counter(form_of[f["id"]] for f in run.facts.get(number, []))

    had_effect = caused(undisturbed, base_forms)
    now_effect = caused(faulted, forms)
    present = all_facts(faulted, forms)
    return sum(
        max(min(count, present[form]) - now_effect[form], 0) for form, count in had_effect.items()
    )


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    return f"median {median:.1f} s, max {ordered[-1]:.1f} s (n={len(ordered)})"


def table(result: Comparison, recoveries, faults_done: dict[str, int]) -> str:
    rows = [
        ("faults", ", ".join(f"{n} {what}" for what, n in faults_done.items())),
        (
            "patients finished",
            f"{result.finished}/{result.patients} (undisturbed {result.finished_undisturbed})",
        ),
        ("per-patient outcomes equal to undisturbed", f"{result.outcomes_equal}/{result.patients}"),
        (
            "effects by business key with > 1 event id",
            f"{result.keys_with_two_ids} (undisturbed {result.keys_with_two_ids_undisturbed})",
        ),
        (
            "republished same-id records",
            f"{result.republished} (with other content: {result.republished_changed})",
        ),
        ("incoming facts without their effect", str(result.facts_without_effect)),
        ("effects not in the undisturbed run", str(result.effects_not_undisturbed)),
        ("undisturbed effects missing", str(result.undisturbed_effects_missing)),
        ("dead letters", f"{result.dead_letters} (undisturbed {result.dead_letters_undisturbed})"),
        ("service recovery after SIGKILL", percentiles(recoveries.services)),
        ("  of which process start-up", percentiles(recoveries.started)),
        ("broker recovery (all replicas ready)", percentiles(recoveries.broker)),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)
