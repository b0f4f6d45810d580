"""Placeholder replaced below."""
from pathlib import Path


def write_report(results: Path) -> str:
    return ""
