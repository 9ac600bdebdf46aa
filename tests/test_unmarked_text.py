"""Every word a reader sees in the workshop and the curators' workspace goes through the
catalogues: a template's own text, a flash message, a form's label or message and an
operation's refusal are all marked for translation, so a French page has no English left in it
(the catalogue test, tests/workshop/test_workshop_i18n.py, then checks each marked text is
translated)."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted([*(ROOT / "server/templates/curate").glob("*.html"),
                    *(ROOT / "server/templates/workshop").glob("*.html")])
HOLE = "\x00"
SHOWN_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt)\s*=\s*"([^"]*)"', re.I)
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
# Names that stay as they are in every language.
PROPER_NAMES = ("Behind the Feed",)
GETTEXT = {"_", "gettext", "ngettext", "lazy_gettext", "_l", "N_", "translate", "plural"}


def _template_text(path: Path) -> str:
    """The template's own text (what it writes as it is), with a hole for every expression and
    tag, and nothing of blocks that hold a class name (`{% block body_class %}`)."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    tokens = [t for t in env.lex(path.read_text(encoding="utf-8")) if t[1] != "whitespace"]
    parts, skipping = [], False
    for i, (_line, kind, value) in enumerate(tokens):
        if kind == "name" and tokens[i - 1][1] == "block_begin":
            if value == "block" and tokens[i + 1][2].endswith("class"):
                skipping = True
            elif value == "endblock":
                skipping = False
        if kind == "data" and not skipping:
            parts.append(value)
        elif kind in ("variable_begin", "block_begin"):
            parts.append(HOLE)
    return "".join(parts)


def unmarked_in_template(path: Path) -> list[str]:
    text = _template_text(path)
    # Code, scripts and styles are not prose (a command to type stays as it is).
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", HOLE, text, flags=re.S | re.I)
    for name in PROPER_NAMES:
        text = text.replace(name, HOLE)
    found = [value for value in SHOWN_ATTRIBUTES.findall(text) if WORD.search(value)]
    text = re.sub(r"<[^>]*>", HOLE, text)
    found += [piece.strip() for piece in re.split(r"[\x00\n]", html.unescape(text))
              if WORD.search(piece)]
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_templates_write_no_word_outside_the_catalogue(path):
    assert unmarked_in_template(path) == []


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_gettext_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _called(node) in GETTEXT


def _literal_text(node: ast.AST) -> list[str]:
    """Literal words in an expression that are not inside a translation call. In a dict only
    the values count (the keys name fields)."""
    if _is_gettext_call(node):
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if WORD.search(node.value) else []
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    if isinstance(node, ast.Dict):
        return [text for value in node.values for text in _literal_text(value)]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [text for item in node.elts for text in _literal_text(item)]
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) + _literal_text(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "format":
        return _literal_text(node.func.value)
    if isinstance(node, ast.ListComp):
        return _literal_text(node.elt)
    return []


SHOWN_CALLS = {
    # what the curators' views show: flash messages and error pages
    "server/curate": {"flash", "_error_page"},
    # the refusals an operation gives, shown to whoever asked
    "server/operations": {"OperationError", "Invalid", "Forbidden", "StaleChange", "Unavailable"},
}


@pytest.mark.parametrize("folder", sorted(SHOWN_CALLS))
def test_messages_shown_to_people_are_marked_for_translation(folder):
    problems = []
    for path in sorted((ROOT / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) in SHOWN_CALLS[folder]:
                # flash(message, category): the category is a name, not text.
                arguments = node.args[:1] if _called(node) == "flash" else [
                    *node.args, *(k.value for k in node.keywords)]
                for argument in arguments:
                    problems += [f"{path.name}:{node.lineno}: {text!r}"
                                 for text in _literal_text(argument)]
    assert not problems, "\n".join(problems)



def test_form_labels_and_messages_are_marked_for_translation():
    """The curators' forms: a field's label (its first argument), a validator's message and a
    ValidationError's text."""
    path = ROOT / "server/curate/forms.py"
    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _called(node)
        texts = []
        if name.endswith("Field") and node.args:
            texts += _literal_text(node.args[0])
        if name == "ValidationError":
            texts += [t for argument in node.args for t in _literal_text(argument)]
        for keyword in node.keywords:
            if keyword.arg in {"label", "message", "description"}:
                texts += _literal_text(keyword.value)
        problems += [f"forms.py:{node.lineno}: {text!r}" for text in texts]
    assert not problems, "\n".join(problems)


# The modules that validate records: their refusals reach the curators' forms, the import page
# and the API's errors (marshmallow's own messages are marked in server/messages.py). For each
# file, the calls whose message (first argument) is shown; a validator's `error=` too.
VALIDATION_CALLS = {
    "server/records.py": {"ValidationError"},
    # DatasetError lists the problems it is given; load_dataset appends them to `errors`.
    "server/dataset.py": {"DatasetError", "append"},
    "server/domains.py": {"ValueError", "_invalid"},
    "server/text.py": {"ValueError", "JSONDecodeError"},
    "server/api/schemas.py": {"ValidationError"},
}


@pytest.mark.parametrize("path", sorted(VALIDATION_CALLS))
def test_validation_messages_are_marked_for_translation(path):
    problems = []
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        texts = []
        if isinstance(node, ast.Call):
            name = _called(node)
            if name in VALIDATION_CALLS[path] and node.args:
                # _invalid(text, reason): the host is data, the reason is the message.
                texts += _literal_text(node.args[1 if name == "_invalid" else 0])
            texts += [t for k in node.keywords if k.arg == "error" for t in _literal_text(k.value)]
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == "errors":
            texts += _literal_text(node.value)
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "MESSAGE" for t in node.targets):
            texts += _literal_text(node.value)
        problems += [f"{path}:{node.lineno}: {text!r}" for text in texts]
    assert not problems, "\n".join(problems)
