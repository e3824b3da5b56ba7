"""The domain: models, storage, templates, exports.  Nothing here imports Textual.

Importing the package wires the storage to the domain's summary of a session
(``core.wiring``): the composition root, so ``core.storage`` needs no import of the domain.
"""

from backplan_tui.core import wiring as wiring
