"""Signals tenancy sends so that packages above it can react without tenancy importing them.

Connect a receiver at import time of the reacting package (``signal.connect(func)``); each receiver's
return value comes back to the sender in ``send()``'s list of ``(receiver, result)`` pairs.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

company_modifiers_removed = _signals.signal("company-modifiers-removed")
"""Sent by Company Settings when Additional Modifiers are taken off the company's list.

Sender: the ``Company``. Keyword arguments: ``removed`` (set of modifier codes) and ``clinic_id`` (the
clinic the change was made from, for the audit trail). A receiver returns how many rows it changed.
"""
