"""How every benchmark states a ratio against its goal, so the report reads the same throughout."""
from __future__ import annotations


def ratio_line(label: str, ratio: float, goal: float) -> str:
    """'label: 1.16x (goal <= 1.3x: met)'."""
    return f"{label}: {ratio:.2f}x (goal <= {goal:g}x: {'met' if ratio <= goal else 'NOT met'})"
