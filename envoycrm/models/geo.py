"""Countries and universities where envoys work."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model


class Country(Model):
    """A country or region by ISO 3166 code; its name comes from Babel's locale data."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)

    universities: Mapped[list["University"]] = relationship(back_populates="country")


class University(Model):
    """A university abroad, with its English and Chinese names."""

    __tablename__ = "universities"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    name_en: Mapped[str] = mapped_column(String(200), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))

    country: Mapped[Country] = relationship(back_populates="universities")

    def name_for(self, locale: str) -> str:
        """The university's name in ``locale`` (Chinese for any ``zh`` locale)."""
        return self.name_zh if str(locale).startswith("zh") else self.name_en
