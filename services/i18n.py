"""Marks English messages for translation without depending on the web layer.

`N_` returns its argument unchanged; `pybabel extract -k N_` collects every
marked string into the catalogue, and the web layer translates at display time.
"""


def N_(message: str) -> str:
    return message
