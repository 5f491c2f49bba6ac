"""Wire values of the run contract that the tests compare against, pinned here once, on purpose.

Outcomes and exit statuses are read outside this package: by people in records and the index, by
scripts through `zdlib run`'s exit status. The tests spell them as literal values instead of importing
zdlib's enums, so that renaming or moving an enum can never change silently what a record or an exit
status says. Compare against these (or the literal outcome strings), not against the package's enums.
"""

from __future__ import annotations

#: an applied run that leaves its change in place: made by this run, or already so (both exit 0)
DONE = ("applied", "no-op")
#: `zdlib run`'s exit status when a step is left to a person (outcome "waiting", e.g. Admin Center)
EXIT_WAITING = 3
