"""Dispute mediation (最多跑一地) as a kind of case: its transition tables, guards and effects."""
