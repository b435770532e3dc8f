"""Sphinx configuration: MyST markdown pages, autodoc for the API reference."""

project = "betastate"
author = "betastate developers"
copyright = "2026, betastate developers"  # noqa: A001  (Sphinx's name)

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    # The rulebook pages draw each preset (docs/diagrams/*.dot, from Rulebook.diagram).
    "sphinx.ext.graphviz",
]
graphviz_output_format = "svg"
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "*.ipynb"]
myst_enable_extensions = ["colon_fence"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"

napoleon_google_docstring = True
napoleon_use_ivar = True
html_theme = "furo"
html_title = "betastate"
suppress_warnings = ["myst.header"]
