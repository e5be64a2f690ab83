"""Budget execution arithmetic, exact: Decimal only, never floats. No Django import.

Execution % = actual / base * 100, where the base is the corrected plan when there is one
and the plan otherwise. An indicator lags when its execution is below the threshold; the
comparison is made on the exact values (actual * 100 < threshold * base), never on a
rounded percentage, so 89.996% is lagging against 90% even though it shows as 90.00%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PERCENT_PLACES = Decimal("0.01")
DEFAULT_THRESHOLD = Decimal("90.00")


def execution_base(plan: Decimal | None, corrected_plan: Decimal | None) -> Decimal | None:
    """The amount execution is measured against: the corrected plan, else the plan."""
    return corrected_plan if corrected_plan is not None else plan


def execution_percent(
    actual: Decimal | None, plan: Decimal | None, corrected_plan: Decimal | None = None
) -> Decimal | None:
    """actual / base * 100 rounded half-up to 0.01; None with no actual or a zero base."""
    base = execution_base(plan, corrected_plan)
    if actual is None or base is None or base == 0:
        return None
    return (Decimal(actual) * 100 / Decimal(base)).quantize(PERCENT_PLACES, ROUND_HALF_UP)


def is_lagging(
    actual: Decimal | None,
    plan: Decimal | None,
    corrected_plan: Decimal | None,
    threshold: Decimal,
) -> bool:
    """Reported (actual given), measured against a positive base, and below the threshold."""
    base = execution_base(plan, corrected_plan)
    if actual is None or base is None or base <= 0:
        return False
    return Decimal(actual) * 100 < Decimal(threshold) * Decimal(base)


def ratio_percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole * 100 rounded half-up to 0.01 (sums of a sector table); None for 0."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT_PLACES, ROUND_HALF_UP)
