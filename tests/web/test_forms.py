# SPDX-License-Identifier: Apache-2.0
"""The one way a refused form is shown (``web.forms``): messages beside fields, escaped, and a
summary that links to each field."""

from __future__ import annotations

import pydantic
import pytest

from liaison.web.forms import FORM, field_errors, validation_errors


class _Form(pydantic.BaseModel):
    title: str = pydantic.Field(min_length=1)
    due_on: int


def test_a_refused_field_says_so_beside_itself():
    fe = field_errors({"title": "give a <title>", FORM: "nothing saved"}, "goals-")
    assert fe.attrs("title") == (
        ' id="field-goals-title" aria-invalid="true" aria-describedby="field-goals-title-error"'
    )
    assert fe.attrs("wording") == ' id="field-goals-wording"'
    assert fe.error("title") == (
        '<span class="field-error" id="field-goals-title-error">give a &lt;title&gt;</span>'
    )
    assert fe.error("wording") == ""
    summary = fe.summary("Not saved.")
    assert summary.startswith('<div class="form-error" role="alert" id="field-goals-form-errors">')
    assert '<li><a href="#field-goals-title">give a &lt;title&gt;</a></li>' in summary
    assert "<li>nothing saved</li>" in summary  # the form's own error links nowhere


def test_no_errors_no_summary():
    assert field_errors(None).summary() == ""
    assert field_errors({}).error("title") == ""


def test_pydantic_errors_go_to_their_fields_or_to_the_form():
    with pytest.raises(pydantic.ValidationError) as caught:
        _Form.model_validate({"title": "", "due_on": "soon"})
    errors = validation_errors(caught.value, ["title"])
    assert set(errors) == {"title", FORM}  # due_on is not a field of this form
    assert "at least 1 character" in errors["title"]
