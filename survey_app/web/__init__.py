"""The web frame: endpoints, middleware, templating, messages. Importing it registers the `{name:id}` path
convertor every route with a number in its path uses."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from forms.numbers import MAX_DIGITS


class IdConvertor(Convertor[int]):
    """A database id in a path: 1 to 18 ASCII digits (below 2**63), so a longer one is simply not found
    (404) instead of overflowing the database's integer."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())
