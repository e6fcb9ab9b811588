"""Catalogue changes in the UI: an item or bundle drafted, checked, previewed, published from an effective date."""
