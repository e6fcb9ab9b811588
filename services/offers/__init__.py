"""Benefit offers (免申即享): the sweep that offers, the subject's answer, the budget's approval, the bank."""
