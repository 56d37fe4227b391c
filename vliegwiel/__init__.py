"""vliegwiel: survey and participation toolkit for small villages."""

import pluggy

__version__ = "0.1.0"

#: The marker for plugin hook implementations: ``@hookimpl def vliegwiel_...``.
hookimpl = pluggy.HookimplMarker("vliegwiel")

__all__ = ["__version__", "hookimpl"]
