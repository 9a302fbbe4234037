"""Every message people read (pages, mails to participants, API error details) is translated
into Swedish, Danish and English: the messages are extracted from the sources as they are now,
with the project's own babel.cfg, so a new string without a translation fails; and no error a
client reads is given text that is not a message of the catalogue."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from innovationsweek.editions.models import LANGUAGES
from innovationsweek.translations import DIRECTORY

ROOT = Path(__file__).parents[1]


def source_messages() -> set[str]:
    # As `make messages` extracts them: Babel's default keywords, and the lazy ones babel.cfg names.
    with (ROOT / "babel.cfg").open() as config:
        methods, options = parse_mapping_cfg(config)
    found = extract_from_dir(str(ROOT), methods, options)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    with (DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    # A plural message is named by its singular, and translated when every form is.
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id and not message.fuzzy and (message.string if isinstance(message.string, str) else all(message.string))
    }

    missing = sorted(source_messages() - translated)

    assert source_messages(), "the extractor finds the messages"
    assert missing == [], f"untranslated in {language}.po (make messages, then translate): {missing}"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(language: str) -> None:
    # A translation that drops or renames a placeholder fails when formatted, or hides a value.
    with (DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    differing = [
        (message.id, translation)
        for message in catalogue
        if message.id
        for source, translation in _pairs(message.id, message.string)
        if translation and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation))
    ]
    assert differing == []


def _pairs(source: str | tuple[str, ...], translation: str | tuple[str, ...]) -> list[tuple[str, str]]:
    """Each form of a translation with the message form it renders: a plural's first form the
    singular, every later form the plural."""
    if isinstance(source, str):
        return [(source, str(translation))]
    singular, plural = source[0], source[1]
    return [(singular if index == 0 else plural, form) for index, form in enumerate(translation)]


PACKAGE = ROOT / "innovationsweek"
# What a client may read: the service's domain errors (and the subclasses the package defines),
# and the validation errors of marshmallow's schemas and WTForms' forms.
CLIENT_FACING_BASES = {"DomainError", "ValidationError"}


def test_no_client_facing_error_is_given_plain_text() -> None:
    # A literal or f-string would reach the caller in English whatever language it asked for:
    # a domain error takes _l("... %(x)s", x=...), text a library formats itself is marked N_.
    trees = {path: ast.parse(path.read_text(), str(path)) for path in PACKAGE.rglob("*.py")}
    errors = _client_facing_errors(trees.values())
    plain = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:100]}"
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _error_text(node, errors, tree) is not None
        and _is_plain_text(_error_text(node, errors, tree))
    ]
    validator_texts = [
        f"{path.relative_to(ROOT)}:{keyword.value.lineno}: {keyword.arg}={ast.unparse(keyword.value)[:80]}"
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _is_validator(node, tree)
        for keyword in node.keywords
        if keyword.arg in ("error", "message") and _is_plain_text(keyword.value)
    ]

    assert "Invalid" in errors and "IllegalTransition" in errors, "the scan finds the errors"
    assert plain == [], "give these errors a lazy message, _l(...) (or N_(...) for a library's own formatting)"
    assert validator_texts == [], "mark a validator's message N_(...) (marshmallow) or _l(...) (WTForms)"


def _client_facing_errors(trees: Iterable[ast.Module]) -> set[str]:
    """The names of the error classes, with every subclass the package defines of them."""
    bases = {
        node.name: {base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases}
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = set(CLIENT_FACING_BASES)
    while grown := {name for name, parents in bases.items() if parents & found} - found:
        found |= grown
    return found


def _error_text(call: ast.Call, errors: set[str], tree: ast.Module) -> ast.expr | None:
    """The text a call gives a client-facing error: ``Invalid(text, ...)``, ``Invalid(detail=text)``,
    ``super().__init__(text, ...)`` in such an error's own constructor, or ``problem(status, text)``."""
    function = call.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
    if name == "__init__" and isinstance(function, ast.Attribute) and _is_super(function.value):
        name = _enclosing_class(call, tree)
    if name == "problem" and len(call.args) > 1:  # problem(status, detail) of api/problems.py
        return call.args[1]
    if name not in errors:
        return None
    if call.args:
        return call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg in ("detail", "message")), None)


VALIDATOR_MODULES = {"marshmallow.validate", "wtforms.validators"}


def _is_validator(call: ast.Call, tree: ast.Module) -> bool:
    """``validate.Length(...)``, or a validator imported by name from marshmallow or WTForms."""
    function = call.func
    if isinstance(function, ast.Attribute):
        return isinstance(function.value, ast.Name) and function.value.id == "validate"
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module in VALIDATOR_MODULES
        for alias in node.names
    }
    return isinstance(function, ast.Name) and function.id in imported


def _is_super(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _enclosing_class(call: ast.Call, tree: ast.Module) -> str | None:
    return next(
        (node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and any(inner is call for inner in ast.walk(node))),
        None,
    )


def _is_plain_text(node: ast.expr) -> bool:
    """A string literal, an f-string, or text built from them with ``+``, ``%`` or ``.format``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and _is_plain_text(node.func.value)
    )


GETTEXT_CALLS = {"_", "_l", "N_", "gettext", "ngettext", "lazy_gettext"}


def test_no_message_hides_inside_an_f_string():
    # Babel's extractor reads an f-string as one string: a _("...") inside its braces is never
    # extracted, so never translated, and the catalogue test above cannot see it.
    hidden = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for joined in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(joined, ast.JoinedStr)
        for node in ast.walk(joined)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_CALLS
    ]
    assert hidden == []
