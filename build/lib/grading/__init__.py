"""Grading: certification schemes as data and a pure scoring engine (decimal arithmetic, no I/O)."""
