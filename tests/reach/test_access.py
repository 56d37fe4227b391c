"""Invitation codes without the web: format, normalisation, hashing, use, addresses."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest

from vliegwiel.core.window_counts import MemoryWindowCounts
from vliegwiel.reach.codes import (
    ALPHABET,
    CODE_LENGTH,
    AddressError,
    CodeProblem,
    Household,
    Throttle,
    code_hash,
    codes_collection,
    consume_code_for,
    create_codes,
    generate_code,
    normalise_code,
    parse_addresses,
    street_counts,
    verify_code,
)

SECRET = "x" * 40


def test_codes_are_grouped_unambiguous_and_carry_at_least_60_bits():
    codes = {generate_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert not set("".join(groups)) & set("ILOU")
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 60


@pytest.mark.parametrize(
    "typed",
    ["k7pm-4xqd-93ht", "K7PM 4XQD 93HT", " k7pm4xqd93ht ", "K7PM–4XQD–93HT", "K7PM.4XQD.93HT"],
)
def test_what_residents_type_is_normalised(typed):
    assert normalise_code(typed) == "K7PM4XQD93HT"


def test_lookalike_letters_count_as_digits():
    assert normalise_code("OIL0-1234-5678") == "01101234" + "5678"


@pytest.mark.parametrize(
    "typed", ["", "K7PM-4XQD", "K7PM-4XQD-93HT-1", "K7PM-4XQD-93H!", "UUUU-UUUU-UUUU"]
)
def test_malformed_input_is_not_a_code(typed):
    assert normalise_code(typed) is None


def test_only_a_keyed_hash_is_stored(village):
    storage = village.storage
    issued = create_codes(storage, SECRET, "buurt", [Household("Kerkstraat", "1", "1234 AB")])
    code = issued[0].code
    raw = json.dumps(storage.all(codes_collection("buurt")))
    assert code not in raw and normalise_code(code) not in raw
    assert storage.get(codes_collection("buurt"), code_hash(SECRET, "buurt", code)) is not None
    # Another key (another instance) cannot find it.
    with pytest.raises(CodeProblem) as problem:
        verify_code(storage, "y" * 40, "buurt", code)
    assert problem.value.kind == "unknown"


def test_a_code_works_once_and_only_in_its_scope(village):
    storage = village.storage
    code = create_codes(storage, village.config.secret_key, "ronde", [Household()])[0].code
    with pytest.raises(CodeProblem) as other_scope:
        verify_code(storage, village.config.secret_key, "buurt", code)
    assert other_scope.value.kind == "unknown"
    consume_code_for(village, "ronde", code.lower())
    with pytest.raises(CodeProblem) as again:
        consume_code_for(village, "ronde", code)
    assert again.value.kind == "used"
    record = storage.all(codes_collection("ronde"))[0]
    assert record["used"] is True
    assert "used_at" not in record and "channel" not in record


def test_expired_codes_are_refused(village):
    yesterday = date.today() - timedelta(days=1)
    storage = village.storage
    code = create_codes(storage, SECRET, "buurt", [Household()], expires_on=yesterday)[0].code
    with pytest.raises(CodeProblem) as problem:
        verify_code(storage, SECRET, "buurt", code)
    assert problem.value.kind == "expired"


def test_used_and_unused_are_counted_per_street(village):
    storage = village.storage
    households = [
        Household("Kerkstraat", "1", "1234 AB"),
        Household("Kerkstraat", "2", "1234 AB"),
        Household("Dijk", "7", "1234 AC"),
    ]
    issued = create_codes(storage, village.config.secret_key, "buurt", households)
    consume_code_for(village, "buurt", issued[1].code)
    counts = {c.street: (c.total, c.used, c.unused) for c in street_counts(storage, "buurt")}
    assert counts == {"Dijk": (1, 0, 1), "Kerkstraat": (2, 1, 1)}


def test_an_address_list_with_header_and_semicolons_is_read():
    text = (
        "straat;huisnummer;postcode\nKerkstraat;1;1234ab\nKerkstraat;2a;1234 AB\n\n"
        "Dijk;7-2;1234 AC\n"
    )
    households = parse_addresses(text.encode("utf-8-sig"))
    assert [h.address for h in households] == ["Kerkstraat 1", "Kerkstraat 2a", "Dijk 7-2"]
    assert households[0].postcode == "1234 AB"


def test_every_bad_address_row_is_reported_with_its_line_number():
    text = (
        "Kerkstraat,1,1234 AB\n"
        "Kerkstraat,,1234 AB\n"  # 2: no house number
        "Dijk,7,12345\n"  # 3: bad postcode
        "Dijk,8\n"  # 4: missing column
        "Kerkstraat,1,1234 AB\n"  # 5: duplicate of line 1
        "Molenweg,3,1234 AD\n"
    )
    with pytest.raises(AddressError) as error:
        parse_addresses(text)
    assert [line for line, _ in error.value.problems] == [2, 3, 4, 5]
    # In Dutch, as the organiser reads them (they used to be English on Dutch pages).
    assert [message for _, message in error.value.problems] == [
        "het huisnummer ontbreekt",
        "'12345' is geen Nederlandse postcode (zoals 1234 AB)",
        "2 kolommen, verwacht 3 of 4 (straat, huisnummer, postcode, woonplaats)",
        "zelfde adres als regel 1",
    ]


def test_throttle_blocks_after_the_limit_and_resets():
    throttle = Throttle(3, MemoryWindowCounts(900))
    for _ in range(3):
        assert not throttle.blocked("ip")
        throttle.fail("ip")
    assert throttle.blocked("ip")
    assert not throttle.blocked("other")
    assert throttle.retry_after("ip") > 0
    throttle.reset("ip")
    assert not throttle.blocked("ip")
