"""Norwegian national identity numbers: fødselsnummer, D-number and the
synthetic test numbers (month + 80, or + 40 for H-numbers), checked by mod 11."""

from __future__ import annotations

from datetime import date

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    rest = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def has_valid_checksum(number: str) -> bool:
    """True when an 11-digit number passes both mod-11 control digits."""
    # isascii: str.isdigit accepts digits such as "²" that int() refuses.
    if len(number) != 11 or not (number.isascii() and number.isdigit()):
        return False
    digits = [int(c) for c in number]
    return (
        _check_digit(digits[:9], _K1) == digits[9]
        and _check_digit(digits[:10], _K2) == digits[10]
    )


def birth_date_of(number: str) -> date | None:
    """The birth date encoded in a valid number, or None if it encodes none."""
    if not has_valid_checksum(number):
        return None
    day, month, year2 = int(number[0:2]), int(number[2:4]), int(number[4:6])
    individual = int(number[6:9])
    if day > 40:  # D-number
        day -= 40
    if month > 80:  # synthetic (Skatteetaten test numbers)
        month -= 80
    elif month > 40:  # H-number
        month -= 40
    if individual < 500:
        century = 1900
    elif individual < 750 and year2 >= 54:
        century = 1800
    elif individual >= 900 and year2 >= 40:
        century = 1900
    else:
        century = 2000
    try:
        return date(century + year2, month, day)
    except ValueError:
        return None


def is_valid(number: str) -> bool:
    """True for a well-formed fødselsnummer or D-number (synthetic ones included)."""
    return birth_date_of(number) is not None
