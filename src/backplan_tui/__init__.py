"""backplan: a terminal app for work-backwards planning workshops."""

__version__ = "0.1.0"
