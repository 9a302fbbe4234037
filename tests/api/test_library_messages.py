"""Every message marshmallow can put in a 422's field errors, and werkzeug's detail of each status
the API answers by itself, is a message of the catalogue (api/library_messages.py): checked
against the libraries installed, so an upgrade that adds or rewords one fails here rather than
leaving a Swedish or Danish caller an English detail."""

from __future__ import annotations

import inspect
import string

import marshmallow as ma
import pytest
from flask_babel import LazyString, force_locale
from marshmallow import validate
from werkzeug import exceptions

from innovationsweek.api.library_messages import in_callers_language

# Messages marshmallow writes only when it dumps (serialises), which the API does to its own data.
DUMPING_ONLY = {"format"}
STATUSES_WITHOUT_A_VIEW = (exceptions.BadRequest, exceptions.NotFound, exceptions.MethodNotAllowed, exceptions.RequestEntityTooLarge)


def marshmallow_messages() -> set[str]:
    """What marshmallow says on loading, as it says it: the types and awareness of the temporal
    fields and the comparisons of Range put in, every other value a sample."""
    messages = set(ma.Schema._default_error_messages.values())
    for _, field in inspect.getmembers(ma.fields, inspect.isclass):
        if issubclass(field, ma.fields.Field):
            own = {"obj_type": getattr(field, "OBJ_TYPE", "datetime"), "awareness": getattr(field, "AWARENESS", "")}
            messages |= {_filled(text, own) for key, text in _messages_of(field).items() if _said_on_loading(field, key)}
    for _, validator in inspect.getmembers(validate, inspect.isclass):
        if issubclass(validator, validate.Validator) and validator is not validate.Range:
            messages |= {_filled(text, {}) for name, text in vars(validator).items() if _is_message(name, text)}
    return messages | _range_messages()


def _said_on_loading(field: type[ma.fields.Field], key: str) -> bool:
    # Only the aware and naive fields check awareness, though every temporal field has the message.
    return key not in DUMPING_ONLY and (key != "invalid_awareness" or hasattr(field, "AWARENESS"))


def _messages_of(field: type[ma.fields.Field]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for cls in reversed(field.__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _is_message(name: str, value: object) -> bool:
    return isinstance(value, str) and (name.startswith("message") or name in ("default_message", "default_error_message"))


def _range_messages() -> set[str]:
    operators = [
        (validate.Range.message_gte, validate.Range.message_lte),
        (validate.Range.message_gt, validate.Range.message_lt),
        (validate.Range.message_gte, validate.Range.message_lt),
        (validate.Range.message_gt, validate.Range.message_lte),
    ]
    return {
        _filled(template.format(min_op=low, max_op=high), {})
        for low, high in operators
        for template in (validate.Range.message_min, validate.Range.message_max, validate.Range.message_all)
    }


def _filled(template: str, known: dict[str, str]) -> str:
    names = {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: known.get(name, "7") for name in names})


def test_marshmallow_gives_many_messages():
    assert {"Missing data for required field.", "Not a valid aware datetime.", "Must be greater than or equal to 7 and less than 7."} <= marshmallow_messages()


@pytest.mark.parametrize("message", sorted(marshmallow_messages()))
def test_every_marshmallow_message_is_in_the_catalogue(message):
    assert isinstance(in_callers_language(message), LazyString), f"add N_({message!r}) to api/library_messages.py"


@pytest.mark.parametrize("error", STATUSES_WITHOUT_A_VIEW, ids=lambda error: str(error.code))
def test_werkzeugs_details_are_in_the_catalogue(error):
    assert isinstance(in_callers_language(error.description), LazyString)


def test_a_message_keeps_its_values_and_the_longest_message_that_fits_is_chosen(app):
    with app.test_request_context(), force_locale("sv"):
        both = str(in_callers_language("Must be greater than or equal to 1 and less than or equal to 200."))
        one = str(in_callers_language("Must be greater than or equal to 1."))

    assert (both, one) == ("Måste vara minst 1 och högst 200.", "Måste vara minst 1.")


def test_text_that_is_no_message_is_left_as_it_is():
    assert in_callers_language("Hej då.") == "Hej då."
