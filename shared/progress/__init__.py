"""Pure progress math: operators, amounts, level evaluation. No I/O here."""
