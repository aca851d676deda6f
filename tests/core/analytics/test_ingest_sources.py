"""Each platform's report download, with its quirks, reads into the same daily facts."""

from __future__ import annotations

import codecs

from tests.core.analytics.test_ingest import count, facts, google_report, run_ingest, tiktok_csv, write

NBSP = "\u00a0"


def test_french_meta_export_with_semicolons_and_decimal_commas(lib, tmp_path):
    path = write(tmp_path / "fr.csv", "\n".join([
        "Jour;Nom de la campagne;Nom de l’ensemble de publicités;Nom de la publicité;Montant dépensé (EUR);Impressions;"
        "Couverture;Clics sur un lien;Achats;Valeur de conversion des achats",
        f'2026-11-03;Rentrée;Ensemble 1;Pub 1;"1{NBSP}234,56";"12{NBSP}000";9000;310;12;"2{NBSP}500,5"',
        "2026-11-04;Rentrée;Ensemble 1;Pub 1;12,5;800;700;9;0;0",
    ]) + "\n", bom=codecs.BOM_UTF8)
    [report] = run_ingest(lib, path)
    assert report.imported and report.source == "meta", report
    assert facts(lib) == [("meta", "Rentrée", "2026-11-03", "EUR", 1234.56, 12000, None, 12, 2500.5),
                          ("meta", "Rentrée", "2026-11-04", "EUR", 12.5, 800, None, 0, 0)]


def test_german_meta_export_in_rupees(lib, tmp_path):
    path = write(tmp_path / "de.csv", "\n".join([
        "Tag;Kampagnenname;Name der Anzeigengruppe;Anzeigenname;Ausgegebener Betrag (INR);Impressionen;Reichweite;Link-Klicks;Käufe",
        "2026-11-03;Herbst;Gruppe 1;Anzeige 1;1.234,50;10.000;8.000;150;3",
    ]) + "\n")
    [report] = run_ingest(lib, path)
    assert report.imported and report.totals[0]["currency"] == "INR"
    assert facts(lib, "campaign, ad_group, ad, currency, spend, impressions, reach, link_clicks, conversions") == [
        ("Herbst", "Gruppe 1", "Anzeige 1", "INR", 1234.5, 10000, 8000, 150, 3)]


def test_spanish_meta_export_with_day_first_dates(lib, tmp_path):
    path = write(tmp_path / "es.csv", "\n".join([
        "Día,Nombre de la campaña,Nombre del conjunto de anuncios,Nombre del anuncio,Importe gastado (EUR),Impresiones,Alcance,"
        "Clics en el enlace,Compras,Valor de conversión de compras",
        "25/11/2026,Otoño,Conjunto 1,Anuncio 1,45.5,3000,2500,40,2,90",
        "03/11/2026,Otoño,Conjunto 1,Anuncio 1,10,500,450,5,0,0",
    ]) + "\n")
    [report] = run_ingest(lib, path)
    assert report.imported, report
    assert [f[2] for f in facts(lib)] == ["2026-11-03", "2026-11-25"]


def test_meta_export_without_a_day_breakdown_is_read_when_each_row_is_one_day(lib, tmp_path):
    path = write(tmp_path / "meta.csv", "Reporting starts,Reporting ends,Campaign name,Amount spent (USD),Impressions\n"
                                        "2026-11-03,2026-11-03,Autumn,10,1000\n")
    [report] = run_ingest(lib, path)
    assert report.imported and facts(lib)[0][:5] == ("meta", "Autumn", "2026-11-03", "USD", 10.0)


def test_google_ads_download_with_title_range_totals_and_ui_numbers(lib, tmp_path):
    rows = [("Search - Brand", "2026-11-03", "EUR", "1,234", "74", "1,020.50", "3.5", "--"),
            ("Search - Brand", "2026-11-04", "EUR", "900", "--", "40.00", "--", "120.00")]
    [report] = run_ingest(lib, google_report(tmp_path / "google.csv", rows))
    assert report.imported and report.source == "google", report
    assert facts(lib) == [("google", "Search - Brand", "2026-11-03", "EUR", 1020.5, 1234, 74, 3.5, None),
                          ("google", "Search - Brand", "2026-11-04", "EUR", 40.0, 900, None, None, 120.0)]
    assert [s["reason"] for s in report.skipped] == ["a summary row (Total: Account)", "a summary row (Total: Search)",
                                                     "a summary row (Total: Campaigns)"]
    assert [s["line"] for s in report.skipped] == [6, 7, 8]
    assert report.totals[0]["spend"] == 1060.5  # the Total rows' 9,999 is not counted


def test_google_excel_csv_that_is_utf16_and_tab_separated(lib, tmp_path):
    rows = [("Display – Herbst", "2026-11-03", "EUR", "12,345", "200", "1,500.25", "10", "2,000.00")]
    [report] = run_ingest(lib, google_report(tmp_path / "google.csv", rows, utf16_tsv=True))
    assert report.imported, report
    assert facts(lib) == [("google", "Display – Herbst", "2026-11-03", "EUR", 1500.25, 12345, 200, 10, 2000.0)]


def test_tiktok_export(lib, tmp_path):
    path = tiktok_csv(tmp_path / "tiktok.csv", [("Launch", "AG 1", "Video 1", "2026-11-03", "USD", 33.3, 5000, 4000, 80, 4, 160, 2500)])
    [report] = run_ingest(lib, path)
    assert report.source == "tiktok"
    assert facts(lib, "platform, campaign, ad_group, ad, currency, spend, reach, video_views") == [
        ("tiktok", "Launch", "AG 1", "Video 1", "USD", 33.3, 4000, 2500)]


def test_linkedin_export_with_a_preamble_and_month_first_dates(lib, tmp_path):
    path = write(tmp_path / "linkedin.csv", "\n".join([
        "Campaign Performance Report (in UTC)",
        '"Report Start: 11/1/2026, Report End: 11/30/2026"',
        "Account: Roastery (506112233)",
        "",
        "Start Date (in UTC),Account Name,Campaign Name,Creative Name,Amount Spent (USD),Impressions,Clicks,Conversions",
        "11/3/2026,Roastery,B2B Autumn,Creative 7,55.10,4200,31,2",
        "11/12/2026,Roastery,B2B Autumn,Creative 7,20.00,1000,8,0",
    ]) + "\n")
    [report] = run_ingest(lib, path)
    assert report.imported and report.source == "linkedin", report
    assert facts(lib, "platform, account, campaign, ad, date, spend") == [
        ("linkedin", "Roastery", "B2B Autumn", "Creative 7", "2026-11-03", 55.1),
        ("linkedin", "Roastery", "B2B Autumn", "Creative 7", "2026-11-12", 20.0)]
    assert [s for s in report.skipped] == [] and count(lib, "import_batches") == 1


def test_mixed_currencies_are_kept_apart(lib, tmp_path):
    path = tiktok_csv(tmp_path / "tiktok.csv", [("Launch", "AG 1", "Video 1", "2026-11-03", "USD", 10, 100, 90, 5, 1, 20, 50),
                                                ("Launch", "AG 1", "Video 1", "2026-11-03", "EUR", 7, 70, 60, 3, 0, 0, 30)])
    [report] = run_ingest(lib, path)
    assert report.rows_added == 2 and report.rows_merged == 0
    assert [(t["currency"], t["spend"]) for t in report.totals] == [("EUR", 7.0), ("USD", 10.0)]
    assert [(f[3], f[4]) for f in facts(lib)] == [("EUR", 7.0), ("USD", 10.0)]
