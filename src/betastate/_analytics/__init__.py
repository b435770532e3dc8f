"""
The analytics: a portfolio of startups and the questions asked of it.

:class:`~betastate._analytics.portfolio.Portfolio` is the analyst's object:
its queries (:mod:`~betastate._analytics.queries`) and notebook views
(:mod:`~betastate._analytics.views`) live beside it. This layer sits above
the engine, whose projections it reads, and below the loaders, which build
portfolios; pandas, polars, lifelines and matplotlib load only on first use
(:mod:`betastate.frames`, :mod:`betastate.plot`).
"""
