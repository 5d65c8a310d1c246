"""The magics' command lines: argparse that reports errors as IPython's ``UsageError`` instead of
exiting the kernel, ``--help`` that only prints, and ``name=value`` options."""

from __future__ import annotations

import argparse
import shlex
import sys

from IPython.core.error import UsageError


class Help(Exception):
    """``--help`` was asked for; the help is printed already."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting the kernel."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().strip()}")

    def exit(self, status=0, message=None):
        if message:
            print(message, file=sys.stderr)
        raise Help()


def pairs(values, option: str) -> dict[str, str]:
    """``name=value`` items as a dict; a ``UsageError`` naming ``option`` for any other item."""
    result = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} expects name=value, got {item!r}")
        result[key] = value
    return result


def parse(parser: Parser, line: str):
    """The magic's line split as a shell would, parsed; a ``UsageError`` for unbalanced quotes."""
    try:
        words = shlex.split(line)
    except ValueError as e:
        raise UsageError(f"{parser.prog}: {e}") from None
    return parser.parse_args(words)
