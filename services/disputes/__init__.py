"""Dispute mediation (最多跑一地): filing, the centre's intake, the agencies' work, and its figures."""
