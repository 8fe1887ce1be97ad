"""Home (``/``): the signed-in therapist's caseload and quick links to the screens they may use."""
