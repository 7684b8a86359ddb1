"""Reading rate-limit settings such as '5/h'. Settings import it, so it imports no Django."""

import re

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text):
    """'5/h' → (5, 3600); '20/10m' → (20, 600). Raises ValueError on anything else."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*", text)
    if not match:
        raise ValueError(f"Rate {text!r} is not like '5/h', '20/10m' or '100/d'.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * PERIODS[unit]
