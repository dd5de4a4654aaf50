"""The vitals hot path's sessions for one batch: read in one query, kept current in place.

Readings arrive by the hundred per batch and most change nothing. So the batch's sessions are
read once (the prefetch), each reading is judged against the copy held here, an alert episode
that opens or closes is a buffered write (one statement for the batch) applied to the copy at
the same time, and any other change to sessions (a handler saving them) drops the copies.

This object is not the only writer of `open_alert_rules`: a handler that saves whole sessions
writes it too (the silence timer's `monitor_silent` opens the monitor-silence episode, saved by
`handlers._apply` through `store.save_sessions`). The copies stay true only because `_apply`
calls `forget()` before it saves any session, and because the buffered writes are flushed
before sessions are read any other way (`handlers._course_of` flushes before a handler reads
the course's sessions; `get` here before it reads one the prefetch did not).
"""

from collections.abc import Iterable
from dataclasses import replace

from carepath_infusion import store
from carepath_infusion.domain import WatchedSession
from carepath_runtime.unit_of_work import UnitOfWork


class WatchedSessions:
    def __init__(self, unit: UnitOfWork) -> None:
        self._unit = unit
        self._copies: dict[str, WatchedSession] = {}

    @staticmethod
    def of(unit: UnitOfWork) -> "WatchedSessions":
        """The unit's one instance (shared by the prefetch and every handler of the batch)."""
        return unit.batch_local(WatchedSessions)

    async def prefetch(self, session_ids: Iterable[str]) -> None:
        self._copies |= await store.watched_sessions(self._unit.session, session_ids)

    async def get(self, session_id: str) -> WatchedSession | None:
        watched = self._copies.get(session_id)
        if watched is None:
            await self._unit.flush()  # the sessions table may have buffered writes
            watched = await store.watched_session(self._unit.session, session_id)
            if watched is not None:
                self._copies[session_id] = watched
        return watched

    def set_open_rules(self, session_id: str, rules: frozenset[str]) -> None:
        """Record the session's open alert episodes (buffered); a no-op when unchanged."""
        watched = self._copies[session_id]
        if rules == watched.open_alert_rules:
            return
        store.set_open_alert_rules_later(self._unit, session_id, rules, at=self._unit.now())
        self._copies[session_id] = replace(watched, open_alert_rules=rules)

    def forget(self) -> None:
        """Sessions were saved another way: the copies may be stale."""
        self._copies.clear()
