"""
Input and output: every file format betastate reads or writes.

Front matter (:mod:`~betastate._io.frontmatter`, read safely), the loaders
of a beta.gouv.fr checkout (:mod:`~betastate._io.loaders`) and of the site's
JSON:API (:mod:`~betastate._io.jsonapi`), the writer that changes only the
lines it must (:mod:`~betastate._io.writer`), betastate's own JSON
(:mod:`~betastate._io.convert`) and its JSON Schema
(:mod:`~betastate._io.schema`), and the bundled sample.
"""
