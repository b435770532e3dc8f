"""
betastate.server: betastate over HTTP, for apps in any language.

``pip install "betastate[server]"``.

An ASGI application (Starlette, run by uvicorn) over a journal: create and
read startups, check and apply commands, portfolio counts, the rulebook.
Every body is betastate JSON, described by betastate's own JSON Schemas in
the OpenAPI 3.1 document at ``/openapi.json``. Callers present API keys
(a file of hashed keys, each mapped to an actor with a role); a command's
actor is always the key's. Guide: ``docs/http.md``.
"""

from __future__ import annotations

from betastate.server._app import create_app as create_app
from betastate.server._keys import ApiKey as ApiKey
from betastate.server._keys import Keys as Keys
from betastate.server._keys import add_key as add_key
from betastate.server._openapi import openapi as openapi
from betastate.server._run import serve as serve


__all__ = ["ApiKey", "Keys", "add_key", "create_app", "openapi", "serve"]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("betastate.server._"):
        _obj.__module__ = __name__
del _name, _obj
