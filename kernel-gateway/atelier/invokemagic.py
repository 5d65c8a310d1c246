"""``%%atelier_invoke ENDPOINT [--content-type T] [--accept A] [--variant V]``: the cell's text sent
to an endpoint, the answer shown with the variant that served it.

    %%atelier_invoke iris-endpoint --accept text/csv
    5.1,3.5,1.4
    6.7,3.0,5.2

The content type is ``application/json`` when the cell starts with ``{`` or ``[``, else
``text/csv``. The answer (an ``Invocation``, also in ``_atelier_invocation``) shows JSON indented
and CSV as a table; its ``body``, ``content_type``, ``variant`` and ``seconds`` are there to use.
"""

from __future__ import annotations

import csv
import html
import io
import json
import time
from dataclasses import dataclass

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from .api import Session
from .endpoints import Predictor
from .magicargs import Help, Parser, parse

_TABLE_ROWS = 50


def invoke_parser() -> Parser:
    p = Parser(prog="%%atelier_invoke", description="Send the cell's text to an endpoint and show its answer.")
    p.add_argument("endpoint", metavar="ENDPOINT")
    p.add_argument("--content-type", default=None, help="the body's type (default: JSON when it looks so, else text/csv)")
    p.add_argument("--accept", default="*/*", help="the answer's type(s) to ask for (default */*)")
    p.add_argument("--variant", default=None, help="the production variant to send it to (default: by weight)")
    return p


def guess_content_type(body: str) -> str:
    return "application/json" if body.lstrip()[:1] in ("{", "[") else "text/csv"


@dataclass
class Invocation:
    """An endpoint's answer to ``%%atelier_invoke``."""

    endpoint: str
    variant: str | None
    content_type: str
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def _media(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def _title(self) -> str:
        return (f"{self.endpoint} · variant {self.variant or '?'} · {self.content_type or 'no content type'} "
                f"· {self.seconds * 1000:.0f} ms")

    def __repr__(self) -> str:
        return f"{self._title()}\n{self._pretty()}"

    def _pretty(self) -> str:
        if self._media() == "application/json":
            try:
                return json.dumps(self.json(), indent=2)
            except ValueError:
                pass
        return self.text if self._media().startswith("text/") or self._media().endswith("json") \
            else f"({len(self.body)} bytes)"

    def _repr_html_(self) -> str:
        head = (f"<div style='margin-bottom:4px'><b>{html.escape(self.endpoint)}</b> &middot; variant "
                f"<b>{html.escape(self.variant or '?')}</b> &middot; <code>{html.escape(self.content_type or '?')}</code>"
                f" &middot; {self.seconds * 1000:.0f} ms</div>")
        if self._media() == "text/csv":
            rows = [r for r in csv.reader(io.StringIO(self.text)) if r]
            shown = rows[:_TABLE_ROWS]
            cells = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>" for v in r) + "</tr>"
                            for r in shown)
            more = f"<i>{len(rows) - len(shown)} more rows</i>" if len(rows) > len(shown) else ""
            return f"{head}<table class='atelier-invocation'>{cells}</table>{more}"
        return f"{head}<pre class='atelier-invocation'>{html.escape(self._pretty())}</pre>"


@magics_class
class InvokeMagics(Magics):
    def _session(self) -> Session:
        return Session()

    @line_cell_magic
    def atelier_invoke(self, line: str, cell: str | None = None):
        """Send the cell to an endpoint: ``%%atelier_invoke ENDPOINT [--content-type T] [--accept A] [--variant V]``."""
        try:
            args = parse(invoke_parser(), line)
        except Help:
            return None
        if cell is None:
            raise UsageError("%%atelier_invoke is a cell magic: put the request's body in the cell, below "
                             f"%%atelier_invoke {args.endpoint}")
        body = cell.strip("\n") + "\n" if cell.strip() else ""
        if not body:
            raise UsageError("%%atelier_invoke: the cell is empty; write the request's body below the magic line")
        content_type = args.content_type or guess_content_type(body)
        try:
            predictor = Predictor(args.endpoint, session=self._session())
        except ValueError as e:
            raise UsageError(f"%%atelier_invoke: {e}") from None
        started = time.monotonic()
        answer, answer_type, variant = predictor.invoke(body, content_type, args.accept, target_variant=args.variant)
        result = Invocation(args.endpoint, variant, answer_type, answer, time.monotonic() - started)
        self.shell.user_ns["_atelier_invocation"] = result
        return result


__all__ = ["Invocation", "InvokeMagics"]
