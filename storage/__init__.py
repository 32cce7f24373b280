"""Tables (models), repositories (every query lives here), kept-up aggregates (rollups) and migrations."""

# The roll-ups and the marks follow every ORM write of a lead, a deal or a meeting: their listeners are
# registered with the models as soon as anything of storage is imported.
from storage.rollups import attribution as _attribution  # noqa: F401
from storage.rollups import customers as _customers  # noqa: F401
from storage.rollups import leadday as _leadday  # noqa: F401
from storage.rollups import margins as _margins  # noqa: F401
from storage.rollups import perday as _perday  # noqa: F401
from storage.rollups import reach as _reach  # noqa: F401
from storage.rollups import reachday as _reachday  # noqa: F401
from storage.rollups import verdicts as _verdicts  # noqa: F401
