"""The amount formula of a policy: a tiny grammar read by hand, never evaluated as Python.

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/") factor)*
    factor := NUMBER | FACT | ("min" | "max") "(" expr ("," expr)+ ")" | "(" expr ")"

A FACT is a number or money fact of the policy's audience; a division's divisor is a number
greater than 0 written in the formula, so that no subject's data can divide by zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from .policy_model import BinOp, Call, Expr, Num, Var

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z_][a-z0-9_]*)|(.))")
FUNCTIONS = ("min", "max")


class FormulaError(ValueError):
    pass


def parse_formula(source: str, is_number_fact: Callable[[str], bool]) -> Expr:
    """The formula's tree; FormulaError says what is wrong and where."""
    tokens = _tokens(source)
    parser = _Parser(tokens, is_number_fact)
    expr = parser.expr()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()!r} after a complete formula")
    return expr


def _tokens(source: str) -> list[str]:
    tokens = []
    for number, name, other in _TOKEN.findall(source):
        token = number or name or other
        if other and other not in "+-*/(),":
            raise FormulaError(f"unexpected character {other!r}")
        tokens.append(token)
    if not tokens:
        raise FormulaError("the formula is empty")
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], is_number_fact: Callable[[str], bool]):
        self.tokens = tokens
        self.at = 0
        self.is_number_fact = is_number_fact

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise FormulaError(f"the formula ends where {expected or 'more'!r} was expected")
        if expected is not None and token != expected:
            raise FormulaError(f"expected {expected!r}, not {token!r}")
        self.at += 1
        return token

    def expr(self) -> Expr:
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            left = BinOp("+" if op == "+" else "-", left, self.term())
        return left

    def term(self) -> Expr:
        left = self.factor()
        while self.peek() in ("*", "/"):
            if self.take() == "*":
                left = BinOp("*", left, self.factor())
            else:
                divisor = self.factor()
                if not isinstance(divisor, Num) or divisor.value <= 0:
                    raise FormulaError("a divisor must be a number greater than 0")
                left = BinOp("/", left, divisor)
        return left

    def factor(self) -> Expr:
        token = self.take()
        if token == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if token[0].isdigit():
            return Num(Decimal(token))
        if token[0].isalpha() or token[0] == "_":
            if token in FUNCTIONS:
                return self.call(token)
            if not self.is_number_fact(token):
                raise FormulaError(f"{token!r} is not a number or money fact of the policy's audience")
            return Var(token)
        raise FormulaError(f"unexpected {token!r}")

    def call(self, function: str) -> Expr:
        self.take("(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take(",")
            args.append(self.expr())
        self.take(")")
        if len(args) < 2:
            raise FormulaError(f"{function}() needs at least two arguments")
        return Call("min" if function == "min" else "max", tuple(args))
