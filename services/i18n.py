"""Marks English messages for translation without depending on the web layer.

`N_` returns its argument unchanged; `pybabel extract -k N_` collects every
marked string into the catalogue, and the web layer translates at display time.
`Nn_` does the same for a stored message whose wording follows a count
(`-k Nn_:1,2`): the plural is what is stored, and PLURALS lets the web layer
choose the form by the count's parameter when it shows the message.
"""

# plural msgid (what a stored message holds) → (singular msgid, the parameter holding the count)
PLURALS: dict[str, tuple[str, str]] = {}


def N_(message: str) -> str:
    return message


def Nn_(singular: str, plural: str, count: str) -> str:
    PLURALS[plural] = (singular, count)
    return plural
