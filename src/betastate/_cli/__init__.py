"""
The ``betastate`` command line: a thin shell over the public API.

One module per subcommand group; :mod:`betastate._cli.main` wires them.
"""
