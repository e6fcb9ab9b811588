"""The workflow: one transition table (table.py), its guards and effects, and the engine that fires rows."""
