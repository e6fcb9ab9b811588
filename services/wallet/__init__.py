"""The applicant's e-certificates: the card, the code shown at a counter (亮证), sharing with a case."""
