"""atpbib: resolve a Markdown paper list into a merged, correct BibTeX / CSL-JSON library."""
from __future__ import annotations

__version__ = "0.1.0"


def resolve(*args, **kwargs):
    """Resolve the selected sections of a list into works; see atpbib.api.resolve."""
    from .api import resolve as _resolve

    return _resolve(*args, **kwargs)


__all__ = ["resolve", "__version__"]
