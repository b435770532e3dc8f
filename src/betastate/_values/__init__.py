"""
The values: what a startup is made of.

Frozen attrs classes and enums with no behaviour beyond their own
invariants: actors and roles, reasons and findings, money, stop records,
events and the startup as its history. Nothing here knows a rulebook, the
engine or a file format; every other layer builds on these.
"""
