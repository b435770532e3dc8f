"""
betastate.testing: model-based tests for the apps and rulebooks built on betastate.

- :mod:`betastate.testing.strategies`: hypothesis strategies for every public
  value and command, startups in a phase, valid and refused commands,
  histories, random rulebooks and front-matter files.
- :class:`LifecycleMachine`: a hypothesis state machine that drives *your*
  system (an app, a journal, an HTTP client) through an :class:`Adapter` and
  checks it answers and reports as betastate does.
- :func:`shortest_paths`, :func:`simple_paths`: command sequences that reach
  every phase and fire every transition of a rulebook;
  :func:`transition_coverage` of any histories; :func:`parametrize_paths`
  for pytest.

Needs hypothesis: ``pip install "betastate[testing]"``. ``import betastate``
never imports this package.

.. versionadded:: 0.1.0
"""

from __future__ import annotations


try:
    import hypothesis as _hypothesis
except ImportError as exc:  # pragma: no cover  (the tests run with hypothesis)
    msg = 'betastate.testing needs hypothesis: pip install "betastate[testing]"'
    raise ImportError(msg) from exc

from betastate.testing import strategies as strategies
from betastate.testing._machine import Adapter as Adapter
from betastate.testing._machine import Disagreement as Disagreement
from betastate.testing._machine import LifecycleMachine as LifecycleMachine
from betastate.testing._machine import Reply as Reply
from betastate.testing._paths import Coverage as Coverage
from betastate.testing._paths import Path as Path
from betastate.testing._paths import parametrize_paths as parametrize_paths
from betastate.testing._paths import shortest_paths as shortest_paths
from betastate.testing._paths import simple_paths as simple_paths
from betastate.testing._paths import transition_coverage as transition_coverage
from betastate.testing._planning import Refusal as Refusal
from betastate.testing._planning import Step as Step


del _hypothesis

__all__ = [
    "Adapter",
    "Coverage",
    "Disagreement",
    "LifecycleMachine",
    "Path",
    "Refusal",
    "Reply",
    "Step",
    "parametrize_paths",
    "shortest_paths",
    "simple_paths",
    "strategies",
    "transition_coverage",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("betastate.testing._"):
        _obj.__module__ = __name__
del _name, _obj
