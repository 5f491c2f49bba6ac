"""Parameter inspection, coercion and validation (no kernel)."""

from __future__ import annotations

import re

import pytest

from tests.runner.conftest import CONTRACT
from zdlib.runner.parameters import (
    Declared,
    ParameterError,
    coerce,
    declared_parameters,
    load_parameter_file,
    validate,
)


@pytest.fixture(scope="module")
def declared() -> dict[str, Declared]:
    return declared_parameters(CONTRACT)


def test_types_and_required_come_from_the_parameters_cell(declared):
    assert {n: d.type_name for n, d in declared.items()} == {
        "target_id": "int", "outcome": "str", "ratio": "float", "dry_run": "bool", "labels": "list",
        "leak": "str", "create_secret": "bool", "fail": "bool", "hold": "float",
    }  # fmt: skip
    assert [n for n, d in declared.items() if d.required] == ["target_id"]


def test_cli_strings_are_coerced_to_the_declared_types(declared):
    given = {"target_id": "12345", "dry_run": "False", "ratio": "2", "labels": '["a", "b"]'}
    assert validate(given, declared) == {
        "target_id": 12345,
        "dry_run": False,
        "ratio": 2.0,
        "labels": ["a", "b"],
    }


def test_typed_values_from_yaml_are_checked(declared):
    assert validate({"target_id": 7, "dry_run": True}, declared) == {"target_id": 7, "dry_run": True}
    with pytest.raises(ParameterError, match=r"dry_run.*expected bool"):
        validate({"target_id": 7, "dry_run": 1}, declared)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"target_id": "1", "automation": "5"}, "unknown parameter 'automation'"),
        ({"target_id": "twelve"}, "'target_id': expected an int, got 'twelve'"),
        ({"target_id": "1", "dry_run": "maybe"}, "expected a bool"),
        ({"target_id": "1", "labels": "{not a list"}, "expected a list"),
        ({}, "missing required parameter 'target_id'"),
        ({"target_id": "None"}, "expected int, got None"),
    ],
)
def test_problems_are_named(declared, given, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        validate(given, declared)


def test_all_problems_are_reported_at_once(declared):
    with pytest.raises(ParameterError) as caught:
        validate({"bogus": "1", "ratio": "x"}, declared)
    assert str(caught.value).count("\n") == 2  # unknown, mistyped, missing required


def test_optional_and_untyped_parameters():
    optional = Declared("limit", "int", True, None, "None", "")
    assert coerce("None", optional) is None
    assert coerce("5", optional) == 5
    untyped = Declared("anything", "", True, None, "None", "")
    assert coerce("raw", untyped) == "raw"


def test_a_parameter_file_with_a_key_given_twice_is_refused(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("automation_id: 12345\ndry_run: true\ndry_run: false\n")
    with pytest.raises(ParameterError, match=r"'dry_run' is given twice"):
        load_parameter_file(path)
