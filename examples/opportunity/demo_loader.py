"""Write the demo data of the opportunity app through the record service.

Reached by the ``kairos demo-data`` command through the ``kairos.demo_data`` entry point
(the runtime never imports examples). Every row goes through ``RecordService.bulk_create``,
so demo data is validated, computed and audited exactly like real data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from examples.opportunity.demo import DEFAULT_USERS, generate
from runtime.records import Actor, RecordService
from runtime.seed import DemoDataRejected

Progress = Callable[[str, int], None]


def load_demo(
    service: RecordService,
    n_opportunities: int,
    *,
    reference_ids: Mapping[str, Mapping[str, int]],
    users: Sequence[int] = DEFAULT_USERS,
    today: date,
    seed: int = 7,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Generate and write ``n_opportunities`` opportunities with their customers, contacts,
    follow-ups, tasks, quotes and contracts. Returns rows written per table."""
    actor = Actor.system(channel="import")
    written: dict[str, int] = {}
    batches = generate(
        n_opportunities, seed=seed, users=users, today=today, reference_ids=reference_ids
    )
    for table, rows in batches:
        result = service.bulk_create(actor, table, rows, preserve_ids=True)
        if result.errors:
            index, error = next(iter(result.errors.items()))
            raise DemoDataRejected(
                f"demo row {index} of table {table!r} was rejected "
                f"({len(result.errors)} rows in that batch): {error.message('en')}"
            )
        written[table] = written.get(table, 0) + len(rows)
        if progress is not None:
            progress(table, len(rows))
    return written
