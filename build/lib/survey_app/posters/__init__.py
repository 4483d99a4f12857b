"""Printable QR posters (调查公告) per location: HTML, PNG and one PDF for a whole campaign."""
