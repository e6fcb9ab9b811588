"""Benefit offers (免申即享) as a kind of case: their transition tables, guards and effects."""
