"""The size run's alternation of cold samples across gateways, and its measured seeds."""

import sys

import pytest

from bench.measure import NoUpstreamCall
from bench.sizes_sample import alternate, rounds
from bench.sizes_seed import measured

pytestmark = pytest.mark.anyio


def test_each_round_starts_one_gateway_further():
    assert list(rounds(3, 4)) == [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 1, 2]]
    assert list(rounds(1, 2)) == [[0], [0]]


def test_over_whole_cycles_each_gateway_holds_each_place_equally_often():
    places = [[0] * 4 for _ in range(4)]
    for order in rounds(4, 300):
        for place, gateway in enumerate(order):
            places[gateway][place] += 1

    assert places == [[75] * 4] * 4


class _Backoffice:
    """Counts the calls of the gateways over it; `calls` answers those since `reset`."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.made = 0

    async def reset(self) -> None:
        self.made = 0

    async def calls(self) -> dict[str, int]:
        return {"pim": self.made, "price": self.made}


class _Gateway:
    def __init__(self, name: str, backoffice: _Backoffice, calls: int = 1) -> None:
        self.name, self.backoffice, self.calls = name, backoffice, calls

    async def send(self) -> None:
        self.backoffice.log.append(self.name)
        self.backoffice.made += self.calls


async def test_samples_alternate_across_sizes_and_are_kept_per_gateway():
    sent: list[str] = []
    demo, xl = _Backoffice(sent), _Backoffice(sent)
    senders = [_Gateway("demo", demo), _Gateway("xl", xl, calls=3)]
    watched: list[int] = []

    taken = await alternate(
        senders, [demo, xl], 4, labels=["demo", "xl"], every=2, watch=watched.append
    )

    assert sent == ["demo", "xl", "xl", "demo", "demo", "xl", "xl", "demo"]
    assert [len(t.seconds) for t in taken] == [4, 4]
    assert [t.calls for t in taken] == [[2, 2, 2, 2], [6, 6, 6, 6]]
    assert all(0 <= s < 1 for t in taken for s in t.seconds)
    assert sorted(watched) == [0, 0, 1, 1]  # after the 2nd and 4th sample of each


async def test_a_sample_without_a_source_call_is_refused_naming_its_gateway():
    sent: list[str] = []
    demo, xl = _Backoffice(sent), _Backoffice(sent)
    senders = [_Gateway("demo", demo), _Gateway("xl", xl, calls=0)]

    with pytest.raises(NoUpstreamCall, match="xl, GC threshold 700: sample 1 made no source"):
        await alternate(senders, [demo, xl], 3, labels=["demo", "xl, GC threshold 700"])

    assert sent == ["demo", "xl"]


def test_a_measured_command_reports_its_wall_time_and_peak_memory(tmp_path):
    # 200 MB touched, in a child of the measured process: its peak counts too.
    child = "b = bytearray(200 * 1024 * 1024); import time; time.sleep(0.2)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"

    found = measured(
        [sys.executable, "-c", parent], cwd=tmp_path, env={}, timeout=30, log=tmp_path / "log"
    )

    # At most the child's 200 MB plus an interpreter or two: the kernel's figure varied
    # from 210 to 302 MB between machines (pages of the zeroed buffer counted or not).
    assert 200 <= found.peak_mb < 400
    assert 0.2 <= found.seconds < 10


def test_a_failing_or_slow_command_fails_with_its_output(tmp_path):
    failing = [sys.executable, "-c", "print('no such size'); raise SystemExit(2)"]
    with pytest.raises(RuntimeError, match=r"failed \(2\):\nno such size"):
        measured(failing, cwd=tmp_path, env={}, timeout=30, log=tmp_path / "log")

    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(TimeoutError, match="took over 0 s"):
        measured(slow, cwd=tmp_path, env={}, timeout=0.3, log=tmp_path / "log")
