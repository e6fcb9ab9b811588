"""A text of the catalogue in both languages."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale.lower().startswith("en") else self.zh
