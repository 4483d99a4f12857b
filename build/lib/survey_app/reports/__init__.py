"""Printable reports (survey analysis report PDF)."""
