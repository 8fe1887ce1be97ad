"""Contract tests' own reporting: the route sweep's coverage is printed in the run's summary."""
SWEEP_SUMMARY: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter):
    if SWEEP_SUMMARY:
        terminalreporter.section("route sweep")
        for check, line in SWEEP_SUMMARY.items():
            terminalreporter.write_line(f"{check}: {line}")


from tests.contract.worlds import worlds  # noqa: E402, F401  (the two-clinic world, a fixture for the sweeps)
