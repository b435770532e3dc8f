"""
The engine: commands in, new startups and events (or refusals) out.

:mod:`~betastate._engine.lifecycle` is the only importer of ``transitions``;
the handlers of committees, money and stops live in
:mod:`~betastate._engine.committee`; :mod:`~betastate._engine.state` and
:mod:`~betastate._engine.ledger` project a history onto any date;
:mod:`~betastate._engine.audit` checks the rulebook's rules on any history.
"""
