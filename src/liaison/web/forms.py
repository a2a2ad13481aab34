# SPDX-License-Identifier: Apache-2.0
"""One way to show a refused form: each error beside its field, a summary at the top that links
to them, the values the user typed kept.

A view that refuses a post calls ``refusal(session, exc, FIELDS)``: it rolls back whatever the
refused change wrote, and maps the error to the form's field it names (``LiaisonError.field``,
or a pydantic error's location); an error that names no field of this form is the form's own
(``"form"``), shown in the summary only. The template builds ``field_errors(errors, prefix)``
(a template global) and writes, for each field::

    <label>Title <input name="title"{{ fe.attrs("title") }}>{{ fe.error("title") }}</label>

and ``{{ fe.summary() }}`` above the form. ``prefix`` keeps ids unique when a page has several
forms with fields of the same name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session

from liaison.errors import InvalidInput, LiaisonError, NotFound

FORM = "form"  # the key of an error that belongs to the whole form
UNPROCESSABLE = InvalidInput.status_code
# Dates are typed as ISO 8601 (Chromium's date inputs show mm/dd/yyyy under an English locale);
# the server parses them with ``kit.dates`` and says what is wrong beside the field.
DATE_INPUT = Markup(
    'type="text" inputmode="numeric" pattern="\\d{4}-\\d{2}-\\d{2}" placeholder="YYYY-MM-DD"'
    ' maxlength="10" autocomplete="off"'
)
DATETIME_INPUT = Markup(
    'type="text" pattern="\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}"'
    ' placeholder="YYYY-MM-DD HH:MM" maxlength="16" autocomplete="off"'
)
DATETIME_FORMAT = "%Y-%m-%d %H:%M"  # how a date-time input's value is written


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a refused form shows: messages by field name, and the page's status code."""

    errors: dict[str, str]
    status_code: int


def refusal(
    session: Session, exc: LiaisonError | ValidationError, fields: Collection[str]
) -> Refusal:
    """Roll back what the refused change wrote; the errors to show beside ``fields``."""
    session.rollback()  # nothing of a refused change may commit
    if isinstance(exc, ValidationError):
        return Refusal(validation_errors(exc, fields), UNPROCESSABLE)
    field = _field(exc.field, fields)
    # a name typed in a field that names nothing is bad input, not a missing page
    named_nothing = isinstance(exc, NotFound) and field != FORM
    return Refusal({field: exc.message}, UNPROCESSABLE if named_nothing else exc.status_code)


def validation_errors(exc: ValidationError, fields: Collection[str]) -> dict[str, str]:
    """A pydantic refusal as messages by field (the first message of each field)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = _field(str(error["loc"][0]) if error["loc"] else None, fields)
        errors.setdefault(name, error["msg"])
    return errors


def _field(name: str | None, fields: Collection[str]) -> str:
    return name if name is not None and name in fields else FORM


@dataclass(frozen=True, slots=True)
class FieldErrors:
    """A form's errors as the attributes and messages its template writes."""

    errors: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""

    def id(self, name: str) -> str:
        """``field-<prefix><name>``: apart from the page's other ids (headings, sections)."""
        return f"field-{self.prefix}{name}"

    def attrs(self, name: str) -> Markup:
        """``id`` for the summary's link, and when refused ``aria-invalid`` and the message."""
        ident = self.id(name)
        if name not in self.errors:
            return Markup(' id="{}"').format(ident)
        return Markup(' id="{0}" aria-invalid="true" aria-describedby="{0}-error"').format(ident)

    def error(self, name: str) -> Markup:
        if name not in self.errors:
            return Markup("")
        return Markup('<span class="field-error" id="{}-error">{}</span>').format(
            self.id(name), self.errors[name]
        )

    def summary(self, title: str = "Not saved: please correct this.") -> Markup:
        """The errors at the top of the form, each linking to its field."""
        if not self.errors:
            return Markup("")
        items = [
            Markup("<li>{}</li>").format(message)
            if name == FORM
            else Markup('<li><a href="#{}">{}</a></li>').format(self.id(name), message)
            for name, message in self.errors.items()
        ]
        return Markup(
            '<div class="form-error" role="alert" id="{}-errors"><p><strong>{}</strong></p>'
            "<ul>{}</ul></div>"
        ).format(self.id("form"), title, Markup("").join(items))


def field_errors(errors: Mapping[str, str] | None = None, prefix: str = "") -> FieldErrors:
    """The template global: ``{% set fe = field_errors(errors) %}``."""
    return FieldErrors(errors or {}, prefix)


MAX_FIELD = 1_000_000  # characters in one posted field (a note's body is the longest)


@dataclass(frozen=True, slots=True)
class Posted:
    """A posted form's text fields, as the one way a page's POST takes them: the endpoint
    declares ``posted: PostedForm`` and asks for the fields it knows with their defaults,
    ``form = posted.fields(title="", marking="", procedure="silence")`` — the dict it passes to
    its service and, when refused, back to the template (the values the user typed kept)."""

    values: Mapping[str, list[str]]

    def fields(self, **defaults: str) -> dict[str, str]:
        return {name: self.get(name, default) for name, default in defaults.items()}

    def get(self, name: str, default: str = "") -> str:
        """The field's first value, ``default`` when it was not posted."""
        return self.values[name][0] if name in self.values else default

    def many(self, name: str) -> list[str]:
        """Every value posted under ``name`` (checkboxes, a multiple select)."""
        return list(self.values.get(name, ()))


async def _posted(request: Request) -> Posted:
    form = await request.form()  # parsed once: the CSRF check has read it already
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            continue  # a file: the endpoint takes it by name (``UploadFile``)
        if len(value) > MAX_FIELD:
            raise InvalidInput(f"at most {MAX_FIELD:,} characters", field=name)
        values.setdefault(name, []).append(value)
    return Posted(values)


PostedForm = Annotated[Posted, Depends(_posted)]
