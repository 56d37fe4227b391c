"""XLSForm expressions <-> vliegwiel conditions and limits.

``relevant`` becomes ``show_if``: comparisons of a question with a literal (``=``, ``!=``,
``<``, ``<=``, ``>``, ``>=``), ``selected(${q}, 'v')``, ``and``, ``or``, ``not(...)`` and
parentheses. ``constraint`` becomes a number range, a text length or a most-choices limit where
it has that shape. Anything else raises ExpressionError with a message naming what does not
map; nothing is evaluated, the text is only tokenised and parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Types of the questions an expression may refer to: "multiple" (select_multiple), "single",
#: "integer", "decimal", "text" and so on, by question name.
QuestionKinds = dict[str, str]


class ExpressionError(ValueError):
    """An expression vliegwiel cannot express; the message says which part."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{\s*(?P<name>[^}\s]+)\s*\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<punct>[(),])
      | (?P<dot>\.(?![\w]))
      | (?P<word>[A-Za-z_][\w:-]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    value: Any = None


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"cannot read '{text[pos : pos + 20].strip()}'")
        pos = match.end()
        kind = match.lastgroup if match.lastgroup != "name" else "ref"
        if match.group("ref"):
            out.append(_Tok("ref", match.group(0).strip(), match.group("name")))
        elif match.group("string") is not None:
            out.append(_Tok("literal", match.group("string"), match.group("string")[1:-1]))
        elif match.group("number") is not None:
            raw = match.group("number")
            out.append(_Tok("literal", raw, float(raw) if "." in raw else int(raw)))
        elif match.group("word") is not None:
            out.append(_Tok("word", match.group("word")))
        else:
            out.append(_Tok(kind or "", match.group(0).strip()))
    return out


class _Parser:
    def __init__(self, text: str, kinds: QuestionKinds, allow_dot: bool = False):
        self.tokens = _tokens(text)
        self.pos = 0
        self.kinds = kinds
        self.allow_dot = allow_dot

    def peek(self, offset: int = 0) -> _Tok | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ExpressionError("the expression ends too early")
        if (kind and tok.kind != kind) or (text and tok.text != text):
            raise ExpressionError(f"unexpected '{tok.text}'")
        self.pos += 1
        return tok

    def parse(self) -> Any:
        result = self.disjunction()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected '{self.peek().text}'")
        return result

    def disjunction(self) -> Any:
        parts = [self.conjunction()]
        while self._word("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _any(parts)

    def conjunction(self) -> Any:
        parts = [self.unary()]
        while self._word("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def _word(self, word: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "word" and tok.text == word:
            self.pos += 1
            return True
        return False

    def unary(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise ExpressionError("the expression ends too early")
        if tok.kind == "punct" and tok.text == "(":
            self.take()
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        if tok.kind == "word":
            nxt = self.peek(1)
            if nxt is None or nxt.text != "(":
                raise ExpressionError(f"'{tok.text}' is not something vliegwiel can compare")
            if tok.text == "not":
                self.take()
                self.take("punct", "(")
                inner = self.disjunction()
                self.take("punct", ")")
                return {"not": inner}
            if tok.text == "selected":
                return self.selected()
            raise ExpressionError(f"the function {tok.text}() does not map onto show_if")
        return self.comparison()

    def selected(self) -> Any:
        self.take("word", "selected")
        self.take("punct", "(")
        ref = self.take()
        if ref.kind != "ref":
            raise ExpressionError("selected() needs a ${question} as its first argument")
        self.take("punct", ",")
        value = self.take()
        if value.kind != "literal":
            raise ExpressionError("selected() needs a literal value as its second argument")
        self.take("punct", ")")
        name = self._known(ref.value)
        operator = "contains" if self.kinds[name] == "multiple" else "equals"
        return {"question": name, operator: str(value.value)}

    def _known(self, name: str) -> str:
        if name not in self.kinds:
            raise ExpressionError(f"${{{name}}} is not an earlier question that maps")
        return name

    def comparison(self) -> Any:
        left = self.take()
        op = self.take("op")
        right = self.take()
        if left.kind == "literal" and right.kind == "ref":
            left, right = right, left
            op = _Tok("op", {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op.text, op.text))
        if left.kind != "ref" or right.kind != "literal":
            raise ExpressionError(
                f"'{left.text} {op.text} {right.text}' does not compare a question with a value"
            )
        name = self._known(left.value)
        value = right.value
        if value == "":
            if op.text == "=":
                return {"question": name, "answered": False}
            if op.text == "!=":
                return {"question": name, "answered": True}
            raise ExpressionError(f"'{op.text} ''' does not map onto show_if")
        if op.text in ("=", "!="):
            if self.kinds[name] == "multiple":
                raise ExpressionError(
                    f"'{op.text}' on the select_multiple ${{{name}}}; use selected() instead"
                )
            return {"question": name, "equals" if op.text == "=" else "not_equals": value}
        number = _as_number(value)
        if number is None:
            raise ExpressionError(f"'{op.text}' needs a number, not '{right.text}'")
        if op.text == ">=":
            return {"question": name, "gte": number}
        if op.text == "<=":
            return {"question": name, "lte": number}
        # A strict comparison is the answered part of the opposite non-strict one: an empty
        # answer makes both false in XLSForm and in vliegwiel.
        opposite = "lte" if op.text == ">" else "gte"
        return {
            "all": [
                {"question": name, "answered": True},
                {"not": {"question": name, opposite: number}},
            ]
        }


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _any(parts: list[Any]) -> Any:
    # `${q} = 'a' or ${q} = 'b'` is how XLSForm writes "one of": say it as `in`.
    names = {p.get("question") for p in parts if isinstance(p, dict)}
    if (
        len(names) == 1
        and None not in names
        and all(set(p) == {"question", "equals"} for p in parts)
    ):
        return {"question": names.pop(), "in": [p["equals"] for p in parts]}
    return {"any": parts}


def relevant_to_show_if(text: str, kinds: QuestionKinds) -> Any:
    """The show_if mapping for an XLSForm ``relevant`` expression; ExpressionError if none."""
    return _Parser(text, kinds).parse()


# --- constraints --------------------------------------------------------------------------------

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_BOUND = re.compile(rf"^\.\s*(<=|>=|<|>)\s*{_NUMBER}$")
_LENGTH = re.compile(rf"^string-length\(\s*\.\s*\)\s*(<=|<)\s*{_NUMBER}$")
_COUNT = re.compile(rf"^count-selected\(\s*\.\s*\)\s*(<=|<)\s*{_NUMBER}$")


def _unwrap(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _split_and(text: str) -> list[str]:
    return [_unwrap(part) for part in re.split(r"\s+and\s+", _unwrap(text))]


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def constraint_to_settings(text: str, kind: str) -> dict[str, Any]:
    """Settings for an XLSForm ``constraint``: {min, max} for numbers, {max_length} for text,
    {max_choices} for select_multiple. ExpressionError for any other shape."""
    settings: dict[str, Any] = {}
    for part in _split_and(text):
        if kind in ("integer", "decimal"):
            match = _BOUND.match(part)
            if match is None:
                raise ExpressionError("only a number range like '. >= 0 and . <= 10' maps")
            op, raw = match.groups()
            value = float(raw) if "." in raw else int(raw)
            if op in ("<", ">"):
                if kind != "integer" or not isinstance(value, int):
                    raise ExpressionError("a strict bound (< or >) only maps for whole numbers")
                value = value + 1 if op == ">" else value - 1
            settings["min" if op.startswith(">") else "max"] = value
        elif kind == "text":
            match = _LENGTH.match(part)
            if match is None:
                raise ExpressionError("only a length like 'string-length(.) <= 200' maps")
            op, raw = match.groups()
            settings["max_length"] = int(float(raw)) - (1 if op == "<" else 0)
        elif kind == "multiple":
            match = _COUNT.match(part)
            if match is None:
                raise ExpressionError("only a limit like 'count-selected(.) <= 3' maps")
            op, raw = match.groups()
            settings["max_choices"] = int(float(raw)) - (1 if op == "<" else 0)
        else:
            raise ExpressionError("a constraint on this type does not map")
    return settings


# --- back to XLSForm ----------------------------------------------------------------------------


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        value = "ja" if value else "nee"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f'"{text}"' if "'" in text else f"'{text}'"


def show_if_to_relevant(condition: Any) -> str:
    """The XLSForm ``relevant`` expression for a show_if mapping (as written in YAML)."""
    if "all" in condition:
        return " and ".join(_grouped(p) for p in condition["all"])
    if "any" in condition:
        return " or ".join(_grouped(p) for p in condition["any"])
    if "not" in condition:
        return f"not({show_if_to_relevant(condition['not'])})"
    ref = "${" + condition["question"] + "}"
    if "equals" in condition:
        return f"{ref} = {_literal(condition['equals'])}"
    if "not_equals" in condition:
        return f"{ref} != {_literal(condition['not_equals'])}"
    if "in" in condition:
        return "(" + " or ".join(f"{ref} = {_literal(v)}" for v in condition["in"]) + ")"
    if "contains" in condition:
        return f"selected({ref}, {_literal(condition['contains'])})"
    if "gte" in condition:
        return f"{ref} >= {_literal(condition['gte'])}"
    if "lte" in condition:
        return f"{ref} <= {_literal(condition['lte'])}"
    return f"{ref} != ''" if condition["answered"] else f"{ref} = ''"


def _grouped(condition: Any) -> str:
    text = show_if_to_relevant(condition)
    return f"({text})" if ("all" in condition or "any" in condition) else text
