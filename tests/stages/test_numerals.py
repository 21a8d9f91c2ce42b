import pytest

from pipeline.stages.numerals import NUMBER, parse_date_number, parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("18,843", 18843),
    ("1万8,843", 18843),
    ("3万7,000", 37000),
    ("15万1421", 151421),
    ("5億", 500_000_000),
    ("3億2700万", 327_000_000),
    ("三十五", 35),
    ("二千", 2000),
    ("1万2千", 12000),
    ("百二十", 120),
])
def test_japanese_numerals(text, value):
    assert NUMBER.fullmatch(text)
    assert parse_number(text) == value


def test_not_a_numeral_is_an_error():
    with pytest.raises(ValueError):
        parse_number("")


@pytest.mark.parametrize(("text", "value"), [
    ("12", 12),
    ("元", 1),
    ("五", 5),
    ("十", 10),
    ("十二", 12),
    ("三十一", 31),
    ("二〇二四", 2024),
    ("二千二十四", 2024),
])
def test_date_numbers(text, value):
    assert parse_date_number(text) == value
