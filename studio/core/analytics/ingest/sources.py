"""The report layouts this studio knows, and column mappings for the rest.

A Source names, for each fact field, the header spellings that mean it (compared lowercased,
spaces collapsed, with any currency suffix such as "(USD)" or "(INR)" taken off first and kept
as the report's currency). Headers are those of the platforms' UI downloads in English and,
for Meta, French, German and Spanish. A mapping (from a MAPPING.json the user gives, and
remembered per header layout) is a Source too, so everything after detection is the same.

    layout = resolve(header_cells)   # the best-matching built-in Source, by column position
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from studio.core.analytics.ingest.normalize import DATE_FORMATS, MONTH_FIRST
from studio.core.analytics.ingest.sniff import normalize_header
from studio.core.errors import BadInput

TEXT_FIELDS = ("account", "campaign", "ad_group", "ad", "currency")
DATE_FIELDS = ("date", "date_start", "date_end")
HOUR = "hour"  # optional: the hour of day of a report broken down by hour (then each row is one hour of one day)
METRICS = ("spend", "impressions", "reach", "clicks", "link_clicks", "conversions", "conversion_value", "video_views")
FIELDS = TEXT_FIELDS + DATE_FIELDS + (HOUR,) + METRICS
_CURRENCY_SUFFIX = re.compile(r"\s*\(([A-Z]{3})\)\s*$")


@dataclass(frozen=True)
class Source:
    name: str  # meta | google | tiktok | linkedin | mapping:<platform>
    platform: str
    aliases: dict[str, tuple[str, ...]]  # field -> header spellings (normalized)
    known: tuple[str, ...] = ()  # other headers of this report, not stored (CTR, CPC, …): they help find the header row
    date_formats: tuple[str, ...] = DATE_FORMATS
    currency: str | None = None  # when the report never says


@dataclass
class Layout:
    """A Source matched to one file's header."""

    source: Source
    columns: dict[str, int]  # field -> column position
    header: list[str]
    header_currency: str | None = None  # from a "(EUR)" suffix
    unused: list[str] = field(default_factory=list)

    def text_positions(self) -> list[int]:
        return [self.columns[f] for f in TEXT_FIELDS + DATE_FIELDS + (HOUR,) if f in self.columns]

    def other_positions(self) -> list[int]:
        return [self.columns[f] for f in METRICS if f in self.columns]


def split_currency(cell) -> tuple[str, str | None]:
    """("amount spent", "EUR") from "Amount spent (EUR)"."""
    text = str(cell or "").replace("\ufeff", "").strip()
    m = _CURRENCY_SUFFIX.search(text)
    return (normalize_header(text[: m.start()]), m.group(1)) if m else (normalize_header(text), None)


META = Source("meta", "meta", {
    "account": ("account name", "nom du compte", "kontoname", "nombre de la cuenta"),
    "campaign": ("campaign name", "nom de la campagne", "kampagnenname", "name der kampagne", "nombre de la campaña"),
    "ad_group": ("ad set name", "nom de l’ensemble de publicités", "nom de l'ensemble de publicités", "name der anzeigengruppe", "nombre del conjunto de anuncios"),
    "ad": ("ad name", "nom de la publicité", "name der anzeige", "anzeigenname", "nombre del anuncio"),
    "date": ("day", "jour", "tag", "día"),
    "date_start": ("reporting starts", "début des rapports", "berichtsbeginn", "inicio del informe"),
    "date_end": ("reporting ends", "fin des rapports", "berichtsende", "fin del informe"),
    "currency": ("currency", "devise", "währung", "divisa"),
    # Breakdown > By time > Time of day; values "09:00:00 - 09:59:59". The viewer's-zone variant gives the
    # viewers' own clock, stored alike. German: Ads Manager's label of hourly_stats_aggregated_by_advertiser_time_zone;
    # French and Spanish labels are not known here (a column mapping with "hour" reads them)
    "hour": ("time of day (ad account time zone)", "time of day (viewer's time zone)", "time of day (viewer’s time zone)",
             "tageszeit (zeitzone des werbekontos)"),
    "spend": ("amount spent", "montant dépensé", "ausgegebener betrag", "importe gastado"),
    "impressions": ("impressions", "impressionen", "impresiones"),
    "reach": ("reach", "couverture", "reichweite", "alcance"),
    "clicks": ("clicks (all)", "clics (tous)", "klicks (alle)", "clics (todos)"),
    "link_clicks": ("link clicks", "clics sur un lien", "link-klicks", "clics en el enlace"),
    "conversions": ("purchases", "achats", "käufe", "compras"),
    "conversion_value": ("purchases conversion value", "purchase conversion value", "valeur de conversion des achats",
                         "conversionswert der käufe", "valor de conversión de compras"),
    "video_views": ("3-second video plays", "lectures de vidéo de 3 secondes", "3-sekunden-videowiedergaben",
                    "reproducciones de video de 3 segundos"),
}, known=("frequency", "results", "result indicator", "cost per result", "attribution setting", "delivery", "ctr (all)",
          "cpc (all)", "cpm (cost per 1,000 impressions)", "ad set budget", "résultats", "répétition", "ergebnisse",
          "frequenz", "resultados", "frecuencia", "diffusion", "auslieferung", "entrega"))

GOOGLE = Source("google", "google", {
    "account": ("account", "account name", "customer name"),
    "campaign": ("campaign",),
    "ad_group": ("ad group",),
    "ad": ("ad", "ad id"),
    "date": ("day", "date"),
    "hour": ("hour of day",),  # Segment > Time > Hour of day: 0..23 in the account's time zone
    "currency": ("currency code", "currency"),
    "spend": ("cost",),
    "impressions": ("impr.", "impressions"),
    "clicks": ("clicks",),
    "conversions": ("conversions",),
    "conversion_value": ("conv. value", "conversion value"),
    "video_views": ("views", "video views"),
}, known=("campaign status", "campaign type", "campaign id", "ctr", "avg. cpc", "cost / conv.", "conv. rate", "interactions",
          "interaction rate", "conv. value / cost", "all conv.", "search impr. share", "ad group id", "phone calls"))

TIKTOK = Source("tiktok", "tiktok", {
    "account": ("advertiser name", "account name"),
    "campaign": ("campaign name",),
    "ad_group": ("ad group name",),
    "ad": ("ad name",),
    "date": ("date", "by day", "stat time day"),
    "currency": ("currency",),
    "spend": ("cost", "total cost"),
    "impressions": ("impressions",),
    "reach": ("reach",),
    "clicks": ("clicks (destination)", "clicks"),
    "conversions": ("conversions", "complete payment"),
    "conversion_value": ("total purchase value", "total complete payment value"),
    "video_views": ("video views",),
}, known=("ad id", "campaign id", "ad group id", "ctr", "cpc", "cpm", "cost per conversion", "roas", "conversion rate",
          "result", "frequency"))

LINKEDIN = Source("linkedin", "linkedin", {
    "account": ("account name",),
    "campaign": ("campaign name",),
    "ad_group": ("campaign group name",),
    "ad": ("creative name", "creative id"),
    "date": ("start date (in utc)", "start date", "date"),
    "currency": ("currency",),
    "spend": ("amount spent", "total spent"),
    "impressions": ("impressions",),
    "reach": ("reach",),
    "clicks": ("clicks",),
    "link_clicks": ("landing page clicks",),
    "conversions": ("conversions",),
    "conversion_value": ("conversion value",),
    "video_views": ("video views", "views"),
}, known=("campaign id", "campaign type", "campaign status", "creative id", "average ctr", "average cpc", "average cpm",
          "cost per conversion", "total engagements", "leads", "follows", "end date (in utc)"), date_formats=MONTH_FIRST)

BUILT_IN = (META, GOOGLE, TIKTOK, LINKEDIN)
REQUIRED = ("campaign", "spend")


def header_signature(header: list[str]) -> str:
    """What identifies a layout of another source: its header words, whatever the currency or order."""
    words = sorted(split_currency(h)[0] for h in header if str(h or "").strip())
    return hashlib.sha256("\x1f".join(words).encode()).hexdigest()[:16]


def match(source: Source, header: list[str]) -> Layout | None:
    """The source laid over this header, or None when a required column is missing."""
    columns, currency, used = {}, None, set()
    for position, cell in enumerate(header):
        name, suffix = split_currency(cell)
        for fld, spellings in source.aliases.items():
            if fld not in columns and name in spellings:
                columns[fld] = position
                used.add(position)
                currency = currency or (suffix if fld == "spend" or fld == "conversion_value" else None)
                break
    if not all(f in columns for f in REQUIRED) or not ("date" in columns or "date_start" in columns):
        return None
    if "date" in columns:  # a report by day: its reporting period columns repeat the range, not worth reading
        columns.pop("date_start", None)
        columns.pop("date_end", None)
    unused = [h for i, h in enumerate(header) if i not in used and str(h or "").strip()]
    return Layout(source, columns, header, currency, unused)


def score(source: Source, header: list[str]) -> int:
    """How many header cells this source knows."""
    names = {s for spellings in source.aliases.values() for s in spellings} | set(source.known)
    return sum(split_currency(cell)[0] in names for cell in header)


def resolve(header: list[str]) -> Layout | None:
    """The built-in source that knows most of this header, or None."""
    best, best_score = None, 0
    for source in BUILT_IN:
        layout = match(source, header)
        s = score(source, header)
        if layout and s > best_score:
            best, best_score = layout, s
    return best


def mapping_source(document, origin: str) -> Source:
    """A Source from a mapping document:
    {"platform": "snapchat", "columns": {"date": "Day", "campaign": "Campaign", "spend": "Spend", …},
     "currency": "EUR" (when the file does not say), "date_format": "%d/%m/%Y" (optional)}."""
    example = '{"platform": "snapchat", "columns": {"date": "Day", "campaign": "Campaign", "spend": "Spend"}, "currency": "EUR"}'
    if not isinstance(document, dict) or not isinstance(document.get("columns"), dict) or not str(document.get("platform") or "").strip():
        raise BadInput(f"The mapping {origin} needs a platform and columns, like {example}.")
    unknown = sorted(set(document["columns"]) - set(FIELDS))
    if unknown:
        raise BadInput(f"The mapping {origin} names fields this studio does not store: {', '.join(unknown)}. "
                       f"Use some of: {', '.join(FIELDS)}.")
    missing = [f for f in REQUIRED if f not in document["columns"]] + ([] if {"date", "date_start"} & set(document["columns"]) else ["date"])
    if missing:
        raise BadInput(f"The mapping {origin} must say which column holds {', '.join(missing)}, like {example}.")
    currency = document.get("currency")
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", str(currency)):
        raise BadInput(f"The mapping {origin} gives currency {currency!r}; write a three-letter code such as EUR or USD.")
    platform = str(document["platform"]).strip().lower()
    aliases = {f: (split_currency(h)[0],) for f, h in document["columns"].items()}
    formats = (document["date_format"],) if document.get("date_format") else DATE_FORMATS
    return Source(f"mapping:{platform}", platform, aliases, date_formats=formats, currency=currency)
