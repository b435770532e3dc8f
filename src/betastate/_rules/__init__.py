"""
The rules: an incubator's rulebook as data.

:mod:`~betastate._rules.rulebook` defines the immutable value and its
variants, :mod:`~betastate._rules.loading` reads presets and TOML files,
:mod:`~betastate._rules.gates` holds the Python checks transitions name.
"""
