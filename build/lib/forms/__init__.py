"""Instrument definitions: schema, loader/validator, safe expressions, answer validation (pure library)."""

from forms.loader import Problem, load_bundled, load_instrument, parse_instrument
from forms.schema import Instrument, Item, Section

__all__ = ["Instrument", "Item", "Problem", "Section", "load_bundled", "load_instrument", "parse_instrument"]
