"""A small, safe parser for target-function text (no ``eval``, no ``sympify``, no ``parse_expr``).

Grammar (whitespace ignored)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("+" | "-") unary | power
    power  := atom ("^" unary)?            # right associative; "**" is accepted as "^"
    atom   := NUMBER | "pi" | "x" DIGITS | FUNC "(" expr ")" | "(" expr ")"
    FUNC   := sin | cos | exp | log | sqrt | abs

Numbers are decimals or ``p/q`` read exactly (``0.1`` is 1/10). Exponents must be constant
rationals of modest size (``|p|, q <= 64``) so that text cannot ask for huge numbers. The result
is a sympy expression in real symbols ``x1..xd`` (see :func:`symbols`). :func:`to_text` prints an
expression back in this grammar (used in certificates); ``parse(to_text(e), d) == e``.

This module is used by the trusted checker and imports nothing from :mod:`nncert.constructions`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from nncert.core import parse_decimal
from nncert.errors import InvalidArgument

__all__ = ["parse", "symbols", "to_text", "MAX_LENGTH", "FUNCTIONS"]

#: Longest accepted expression text.
MAX_LENGTH = 4000
#: Deepest accepted nesting of parentheses / unary operators.
MAX_DEPTH = 60
#: Function names of the grammar.
FUNCTIONS = ("sin", "cos", "exp", "log", "sqrt", "abs")
_MAX_EXP = 64

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^()]))")


def symbols(d: int) -> tuple[Any, ...]:
    """The real sympy symbols ``x1..xd`` every parsed expression uses.

    Examples
    --------
    >>> symbols(2)
    (x1, x2)
    """
    import sympy

    return tuple(sympy.Symbol(f"x{j}", real=True) for j in range(1, d + 1))


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            raise InvalidArgument(f"expression: unexpected character {bad!r} at position {pos}")
        if m.group(1) is not None:
            out.append(("num", m.group(1), m.start(1)))
        elif m.group(2) is not None:
            out.append(("name", m.group(2), m.start(2)))
        else:
            out.append(("op", "^" if m.group(3) == "**" else m.group(3), m.start(3)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, d: int) -> None:
        import sympy

        self.sp = sympy
        self.toks = _tokens(text)
        self.i = 0
        self.d = d
        self.syms = symbols(d)
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise InvalidArgument(f"expression: unexpected end of input (expected {value or 'more'})")
        if value is not None and tok[1] != value:
            raise InvalidArgument(f"expression: expected {value!r} at position {tok[2]} but found {tok[1]!r}")
        self.i += 1
        return tok

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InvalidArgument(f"expression: nested more than {MAX_DEPTH} levels deep")

    def expr(self) -> Any:
        self.enter()
        val = self.term()
        while (tok := self.peek()) is not None and tok[1] in ("+", "-") and tok[0] == "op":
            self.i += 1
            rhs = self.term()
            val = val + rhs if tok[1] == "+" else val - rhs
        self.depth -= 1
        return val

    def term(self) -> Any:
        val = self.unary()
        while (tok := self.peek()) is not None and tok[1] in ("*", "/") and tok[0] == "op":
            self.i += 1
            rhs = self.unary()
            if tok[1] == "*":
                val = val * rhs
            else:
                if rhs == 0:
                    raise InvalidArgument(f"expression: division by zero at position {tok[2]}")
                val = val / rhs
        return val

    def unary(self) -> Any:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in ("+", "-"):
            self.enter()
            self.i += 1
            val = self.unary()
            self.depth -= 1
            return -val if tok[1] == "-" else val
        return self.power()

    def power(self) -> Any:
        base = self.atom()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] == "^":
            self.i += 1
            self.enter()
            ex = self.unary()
            self.depth -= 1
            if not getattr(ex, "is_Rational", False):
                raise InvalidArgument(f"expression: exponent at position {tok[2]} must be a constant rational, got {ex}")
            if abs(ex.p) > _MAX_EXP or ex.q > _MAX_EXP:
                raise InvalidArgument(f"expression: exponent {ex} is too large (|p|, q <= {_MAX_EXP})")
            if base == 0 and ex < 0:
                raise InvalidArgument(f"expression: 0 raised to the negative power {ex}")
            return self.sp.Pow(base, ex)
        return base

    def atom(self) -> Any:
        sp = self.sp
        tok = self.take()
        kind, val, pos = tok
        if kind == "num":
            f = parse_decimal(val, f"expression number at position {pos}")
            if len(str(f.numerator)) + len(str(f.denominator)) > 200:
                raise InvalidArgument(f"expression: number at position {pos} is too long")
            return sp.Rational(f.numerator, f.denominator)
        if kind == "op":
            if val == "(":
                inner = self.expr()
                self.take(")")
                return inner
            raise InvalidArgument(f"expression: unexpected {val!r} at position {pos}")
        if val == "pi":
            return sp.pi
        m = re.fullmatch(r"x([1-9][0-9]*)", val)
        if m:
            j = int(m.group(1))
            if j > self.d:
                raise InvalidArgument(
                    f"expression uses {val} but the domain has dimension d={self.d} (symbols x1..x{self.d})"
                )
            return self.syms[j - 1]
        if val in FUNCTIONS:
            self.take("(")
            arg = self.expr()
            self.take(")")
            if val == "log" and arg.is_number and not (arg > 0):
                raise InvalidArgument(f"expression: log of non-positive constant {arg}")
            return {"sin": sp.sin, "cos": sp.cos, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs}[val](arg)
        nxt = self.peek()
        if nxt is not None and nxt[1] == "(":
            raise InvalidArgument(f"expression: unknown function {val!r} (allowed: {', '.join(FUNCTIONS)})")
        raise InvalidArgument(f"expression: unknown symbol {val!r} (allowed: x1..x{self.d}, pi)")


def parse(text: str, d: int) -> Any:
    """Parse ``text`` (the grammar above) into a sympy expression in ``x1..xd``.

    Raises :class:`~nncert.errors.InvalidArgument` naming the offending token for unknown symbols or
    functions, a symbol beyond ``x{d}``, bad syntax, huge exponents, or overly long/deep text.

    Examples
    --------
    >>> parse("sin(pi*x1)", 1)
    sin(pi*x1)
    >>> parse("abs(x1 - 1/2) + 0.25*x2^2", 2)
    x2**2/4 + Abs(x1 - 1/2)
    >>> parse("tan(x1)", 1)
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: expression: unknown function 'tan' (allowed: sin, cos, exp, log, sqrt, abs)
    """
    if not isinstance(text, str):
        raise InvalidArgument(f"expression must be text, got {type(text).__name__}")
    if not isinstance(d, int) or d < 1:
        raise InvalidArgument(f"dimension must be a positive integer, got {d!r}")
    if len(text) > MAX_LENGTH:
        raise InvalidArgument(f"expression is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise InvalidArgument("expression is empty")
    p = _Parser(text, d)
    val = p.expr()
    if p.i != len(p.toks):
        kind, tokval, pos = p.toks[p.i]
        raise InvalidArgument(f"expression: unexpected {tokval!r} at position {pos}")
    if val.has(__import__("sympy").zoo, __import__("sympy").nan):
        raise InvalidArgument("expression evaluates to an undefined value (division by zero?)")
    return val


def to_text(expr: Any) -> str:
    """Print a sympy expression built from the grammar's pieces back in the grammar.

    Raises :class:`~nncert.errors.InvalidArgument` for anything the grammar cannot express.

    Examples
    --------
    >>> e = parse("abs(x1 - 1/2)^3 / 2 - exp(-x2)", 2)
    >>> parse(to_text(e), 2) == e
    True
    """
    import sympy as sp

    def go(e: Any) -> str:
        if e.is_Integer:
            return str(int(e)) if e >= 0 else f"({int(e)})"
        if e.is_Rational:
            return f"({int(e.p)}/{int(e.q)})"
        if e is sp.pi:
            return "pi"
        if e.is_Symbol:
            if not re.fullmatch(r"x[1-9][0-9]*", e.name):
                raise InvalidArgument(f"symbol {e.name!r} is not one of x1..xd")
            return e.name
        if e.is_Add:
            return "(" + " + ".join(go(a) for a in e.args) + ")"
        if e.is_Mul:
            return "(" + "*".join(go(a) for a in e.args) + ")"
        if e.is_Pow:
            ex = e.exp
            if not ex.is_Rational:
                if e.base is sp.E:
                    return f"exp({go(ex)})"
                raise InvalidArgument(f"non-rational exponent in {e}")
            return f"({go(e.base)})^({fmt_q(ex)})"
        if isinstance(e, sp.exp):
            return f"exp({go(e.args[0])})"
        for name, cls in (("sin", sp.sin), ("cos", sp.cos), ("log", sp.log), ("abs", sp.Abs)):
            if isinstance(e, cls):
                return f"{name}({go(e.args[0])})"
        raise InvalidArgument(f"cannot write {type(e).__name__} ({e}) in the restricted grammar")

    def fmt_q(q: Any) -> str:
        f = Fraction(int(q.p), int(q.q))
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"

    return go(expr)
