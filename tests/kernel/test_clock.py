from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kernel.clock import FixedClock, SystemClock, noon, on_day, starting_at


def test_the_system_clock_tells_utc_time_and_its_date():
    before = datetime.now(UTC)
    now = SystemClock().now()

    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
    assert SystemClock().today() == datetime.now(UTC).date()


def test_a_clock_on_another_day_keeps_the_time_of_day_and_runs_on():
    clock = on_day(date(2030, 2, 28))

    first, second = clock.now(), clock.now()
    real = datetime.now(UTC)

    assert clock.today() == date(2030, 2, 28)
    assert first <= second
    assert abs(first - clock.offset - real) < timedelta(seconds=5)
    assert clock.offset % timedelta(days=1) == timedelta(0)


def test_no_day_is_the_system_clock():
    assert on_day(None) == SystemClock()


def test_a_clock_starting_at_a_moment_reads_it_now_and_runs_on():
    moment = noon(date(2027, 4, 5))
    clock = starting_at(moment)

    assert timedelta(0) <= clock.now() - moment < timedelta(seconds=5)
    assert clock.today() == date(2027, 4, 5)


def test_a_fixed_clock_stands_still_and_tells_only_utc():
    at = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)

    assert (FixedClock(at).now(), FixedClock(at).today()) == (at, date(2026, 12, 31))
    with pytest.raises(ValueError, match="UTC"):
        FixedClock(datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=1))))
