from datetime import date

from governance.platform.workdays import add_working_days, is_working_day, previous_working_day


def test_is_working_day_on_an_ordinary_weekday():
    assert is_working_day(date(2025, 3, 12)) is True


def test_is_working_day_false_on_weekend():
    assert [is_working_day(date(2025, 3, d)) for d in (15, 16)] == [False, False]


def test_is_working_day_false_on_dutch_holidays():
    # Koningsdag 2023 (a Thursday), Christmas 2025 (Thu, Fri), Ascension Day 2025.
    days = [date(2023, 4, 27), date(2025, 12, 25), date(2025, 12, 26), date(2025, 5, 29)]
    assert [is_working_day(d) for d in days] == [False, False, False, False]


def test_add_working_days_skips_the_weekend():
    assert add_working_days(date(2025, 3, 14), 1) == date(2025, 3, 17)


def test_add_working_days_skips_christmas_and_new_year():
    # Wed 24 Dec 2025 + 3 working days: 25, 26 (holidays), 27, 28 (weekend) → 29, 30, 31.
    assert add_working_days(date(2025, 12, 24), 3) == date(2025, 12, 31)
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_add_working_days_zero_keeps_the_start():
    assert add_working_days(date(2025, 3, 15), 0) == date(2025, 3, 15)


def test_add_working_days_backwards_skips_easter():
    # Tue 22 April 2025 − 1 working day: Mon 21 (Easter Monday), weekend, Fri 18 (Good Friday)
    # → Thu 17 April.
    assert add_working_days(date(2025, 4, 22), -1) == date(2025, 4, 17)


def test_add_working_days_counts_ten_days_across_ascension():
    # Mon 26 May 2025 + 10: Ascension Thu 29 May and Whit Monday 9 June are skipped.
    assert add_working_days(date(2025, 5, 26), 10) == date(2025, 6, 11)


def test_previous_working_day_of_a_sunday_is_friday():
    assert previous_working_day(date(2025, 3, 16)) == date(2025, 3, 14)
