"""Parsing VirES filter expressions: the accepted language and every syntax error message
(reference vires-data-extraction.md, sections 3.1, 3.2 and 3.4)."""

from __future__ import annotations

import pytest

from vires_repo.errors import FilterError, UsageError
from vires_repo.extraction.filter_parser import (
    BitmaskComparison,
    Comparison,
    Composition,
    Negation,
    Variable,
)
from vires_repo.extraction.filters import parse_filter

PREFIX = "Invalid input value of 'filters'! Invalid filter specification! "


def error_of(text: str) -> str:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    message = str(caught.value)
    assert message.startswith(PREFIX)
    return message.removeprefix(PREFIX)


@pytest.mark.parametrize("text", [None, "", "   ", " \t\r"])
def test_an_empty_filter_selects_everything(text: str | None) -> None:
    parsed = parse_filter(text)

    assert not parsed
    assert parsed.parts == ()
    assert parsed.variables == frozenset()


def test_a_comparison_with_each_literal_kind() -> None:
    parsed = parse_filter("F > 1 AND F <= 2.5e1 AND Flag == TRUE AND Spacecraft != 'A'")

    assert parsed.parts == (
        Comparison(">", Variable("F"), 1),
        Comparison("<=", Variable("F"), 25.0),
        Comparison("==", Variable("Flag"), True),
        Comparison("!=", Variable("Spacecraft"), "A"),
    )
    assert isinstance(parsed.parts[0], Comparison) and type(parsed.parts[0].value) is int
    assert parsed.variables == {"F", "Flag", "Spacecraft"}


def test_reserved_words_are_case_insensitive() -> None:
    parsed = parse_filter("not a == nan and b != Inf AND c == false And d == -INF")

    assert parsed.parts[0] == Negation(
        Comparison("==", Variable("a"), parsed.parts[0].predicate.value)
    )  # type: ignore[union-attr]
    assert str(parsed) == "NOT a IS NaN AND b != inf AND c == False AND d == -inf"


def test_vector_components_and_bitmasks() -> None:
    parsed = parse_filter("B_NEC[2] < -5 AND QDBasis[1, 0] >= 0 AND Flags_B & 7 != 5")

    assert parsed.parts == (
        Comparison("<", Variable("B_NEC", (2,)), -5),
        Comparison(">=", Variable("QDBasis", (1, 0)), 0),
        BitmaskComparison("!=", Variable("Flags_B"), 7, 5),
    )
    assert parsed.variables == {"B_NEC", "QDBasis", "Flags_B"}
    assert str(parsed) == "B_NEC[2] < -5 AND QDBasis[1,0] >= 0 AND Flags_B & 7 != 5"


def test_groups_of_one_operator_are_flattened_and_the_top_conjunction_split() -> None:
    parsed = parse_filter(
        "a == 1 AND (b == 2 AND (c == 3 AND d == 4)) AND (e == 5 OR (f == 6 OR g == 7))"
    )

    assert len(parsed.parts) == 5
    last = parsed.parts[-1]
    assert isinstance(last, Composition) and last.operator == "OR"
    assert [p.variable.name for p in last.predicates] == ["e", "f", "g"]  # type: ignore[union-attr]


def test_a_top_level_disjunction_is_one_filter() -> None:
    parsed = parse_filter("(a == 1) OR b == 2")

    assert len(parsed.parts) == 1
    assert str(parsed) == "(a == 1 OR b == 2)"


def test_double_negation_cancels_and_duplicates_are_removed() -> None:
    parsed = parse_filter("NOT NOT a > 1 AND NOT (NOT a > 1) AND a > 1 AND NOT NOT NOT a > 1")

    assert parsed.parts == (
        Comparison(">", Variable("a"), 1),
        Negation(Comparison(">", Variable("a"), 1)),
    )


def test_the_legacy_range_form() -> None:
    parsed = parse_filter("F:-10,10.5;B_NEC[1]:0,1")

    assert str(parsed) == "F >= -10 AND F <= 10.5 AND B_NEC[1] >= 0 AND B_NEC[1] <= 1"


def test_escaped_identifiers_and_quoted_strings() -> None:
    parsed = parse_filter(r"F_res_CHAOS\-Core > 1 AND \1st == 'it''s' AND x == " + '"say ""hi"""')

    assert sorted(parsed.variables) == ["1st", "F_res_CHAOS-Core", "x"]
    assert parsed.parts[1] == Comparison("==", Variable("1st"), "it's")
    assert parsed.parts[2] == Comparison("==", Variable("x"), 'say "hi"')


def test_numbers_are_integers_when_they_can_be() -> None:
    parsed = parse_filter("a == 1_000 AND b == 1e3 AND c == .5 AND d == +2.")
    values = [p.value for p in parsed.parts]  # type: ignore[union-attr]
    assert values[:4] == [1000, 1000.0, 0.5, 2.0]
    assert [type(v) for v in values[:4]] == [int, float, float, float]


def test_filter_errors_are_usage_errors() -> None:
    with pytest.raises(UsageError) as caught:
        parse_filter("F >")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("F > 1 @", "Illegal character '@', line 1, column 7!"),
        ("F = 1", "Illegal character '=', line 1, column 3!"),
        ("F > 1\nAND G > 1", "Illegal character '\\n', line 1, column 6!"),
        ("B_NEC[x] > 1", "Illegal character 'x', line 1, column 7!"),
        ("F > 1 G", "Unexpected variable identifier 'G' at line 1, column 7!"),
        ("a AND b", "Unexpected logical AND 'AND' at line 1, column 3!"),
        ("a == 1 AND b == 2 OR c == 3", "Unexpected logical OR 'OR' at line 1, column 19!"),
        ("a == 1 OR b == 2 and c == 3", "Unexpected logical AND 'AND' at line 1, column 18!"),
        ("(a == 1 AND b == 2 OR c == 3)", "Unexpected logical OR 'OR' at line 1, column 20!"),
        ("F > 1.5 2.5", "Unexpected float number literal 2.5 at line 1, column 9!"),
        ("F > 'x'", "Unexpected string literal 'x' at line 1, column 6!"),
        ("F < TRUE TRUE", "Unexpected Boolean literal True at line 1, column 10!"),
        ("F & 1.5 == 1", "Unexpected float number literal 1.5 at line 1, column 5!"),
        ("F & 1 > 1", "Unexpected greater than '>' at line 1, column 7!"),
        ("F & 1 == 1.0", "Unexpected float number literal 1.0 at line 1, column 10!"),
        ("== 1", "Unexpected equal '==' at line 1, column 1!"),
        ("F == 1)", "Unexpected right_round_bracket ')' at line 1, column 7!"),
        ("(F == 1", "Syntax error!"),
        ("F >", "Syntax error!"),
        ("NOT", "Syntax error!"),
        ("F", "Syntax error!"),
        ("F[]", "Unexpected right_square_bracket ']' at line 1, column 3!"),
        ("F[1,,2] > 0", "Unexpected comma ',' at line 1, column 5!"),
        ("F == [1]", "Unexpected left_square_bracket '[' at line 1, column 6!"),
        ("F:1,2 AND G > 1", "Unexpected logical AND 'AND' at line 1, column 7!"),
        ("F > 1; G:1,2", "Unexpected semicolon ';' at line 1, column 6!"),
        ("F:1,2;G > 1", "Unexpected greater than '>' at line 1, column 9!"),
        ("F:1;2", "Unexpected semicolon ';' at line 1, column 4!"),
        ("F:'a',2", "Unexpected string literal 'a' at line 1, column 4!"),
        ("F > 1 AND G:1,2", "Unexpected colon ':' at line 1, column 12!"),
        ("F != 1 2", "Unexpected integer number literal 2 at line 1, column 8!"),
        ("F[1 2] > 0", "Unexpected integer index 2 at line 1, column 5!"),
        ("x == 1 AND NOT", "Syntax error!"),
        ("x == ''", "Syntax error!"),
        ("x == 'abc", "Missing closing single quote!"),
        ('x == "abc', "Missing closing double quote!"),
        ("B_NEC[1", "Missing closing square bracket!"),
        ("12abc > 1", "Not a valid number literal 12abc at line 1, column 1!"),
        ("F > 1.5.5", "Unexpected float number literal 0.5 at line 1, column 8!"),
        ("F > 5nan", "Not a valid number literal 5nan at line 1, column 5!"),
        ("F[1234567890] > 1", "Integer index longer then 9 characters at line 1, column 3!"),
        (
            "F > 1 AND " + "x" * 129 + " > 1",
            "Variable identifier longer then 128 characters at line 1, column 11!",
        ),
        (
            "x == '" + "y" * 129 + "'",
            "String literal longer then 128 characters at line 1, column 7!",
        ),
        ("F > " + "1" * 129, "Number longer then 128 characters at line 1, column 5!"),
        # a syntax error comes first when it precedes a lexical one (the tokenizer is lazy)
        ("F F @", "Unexpected variable identifier 'F' at line 1, column 3!"),
    ],
)
def test_syntax_error_messages(text: str, message: str) -> None:
    assert error_of(text) == message


def test_lines_and_columns_count_from_the_last_newline_inside_a_string() -> None:
    assert error_of("x == 'a\nb' @") == "Illegal character '@', line 2, column 4!"


def test_identifier_of_128_characters_is_accepted() -> None:
    name = "x" * 128
    assert parse_filter(f"{name} > 1").variables == {name}


def test_predicate_count_limit() -> None:
    limit = " AND ".join(f"x{i} > 1" for i in range(4096))
    assert len(parse_filter(limit).parts) == 4096

    # VirES's LALR parser has read the next token (AND) when it counts, and names the one
    # after it (checked against VirES's own ply grammar)
    text = limit + " AND y > 1 AND z > 1"
    column = len(limit + " AND y > 1 AND ") + 1
    assert error_of(text) == (
        "The conjunction exceeds the maximum allowed number of predicates (4096), "
        f"at line 1, column {column}!"
    )
    disjunction = " OR ".join(f"x{i} > 1" for i in range(4097))
    assert error_of(disjunction) == (
        "The disjunction exceeds the maximum allowed number of predicates (4096), "
        f"at line 1, column {len(disjunction) + 1}!"
    )


def test_range_list_counts_its_predicates() -> None:
    ranges = ";".join(f"x{i}:0,1" for i in range(2048))
    assert len(parse_filter(ranges).parts) == 4096
    assert error_of(ranges + ";y:0,1").startswith(
        "The conjunction exceeds the maximum allowed number of predicates (4096)"
    )


def test_index_dimension_limit() -> None:
    index = ",".join(["0"] * 32)
    assert parse_filter(f"M[{index}] > 1").parts == (Comparison(">", Variable("M", (0,) * 32), 1),)
    text = f"M[{index},0] > 1"
    assert error_of(text) == (
        "The array index exceeds the maximum allowed number of dimensions (32), "
        f"at line 1, column {text.index('>') + 1}!"
    )
