"""HTML and CSS extraction on real markup."""

from __future__ import annotations

from studio.core.research.extract import (
    css_colours,
    css_fonts,
    decode,
    google_fonts,
    most_used,
    parse_html,
)

PAGE = """<!doctype html><html><head><base href="/shop/">
<title>  Acme
  Anvils </title>
<meta property="og:description" content="Forged anvils."><meta property="og:image" content="hero.jpg">
<link rel="stylesheet" href="theme.css"><link rel="icon" href="favicon.ico">
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato:400,700|Roboto+Mono">
<style>/* #abcdef is a comment */ @media (max-width: 600px) { .hero { background: #FA0 url(#grad); } }</style>
</head><body>
<header><h1>Anvils</h1></header>
<nav><ul><li><a href="/">Home</a></li></ul></nav>
<div id="onetrust-banner-sdk"><p>Accept all cookies?</p></div>
<section><h2>Why ours</h2><ul><li><p>Solid steel</p></li><li>Lifetime warranty</li></ul>
<p style="color: rgb(0 128 255 / 50%); font: italic 16px/1.4 'Brand Sans', sans-serif">Made by hand.</p>
<table><tr><td>Weight</td><td>50 kg</td></tr></table></section>
<script>var x = "<p>not text</p>";</script>
<a href="catalogue#page2">Catalogue</a> <a href="mailto:a@b.c">Mail</a> <a href="#top">Top</a>
<a href="https://other.example/x">Partner</a> <img src="data:image/png;base64,AAAA"><img src="/img/a.png">
<footer><p>Copyright</p></footer></body></html>"""


def test_page_content():
    page = parse_html(PAGE, "https://acme.example/index.html")
    assert page.title == "Acme Anvils"
    assert page.description == "Forged anvils."
    assert page.headings == ["Anvils", "Why ours"]
    assert page.text.splitlines() == ["Anvils", "Why ours", "Solid steel", "Lifetime warranty", "Made by hand.", "Weight", "50 kg"]
    assert page.links == ["https://acme.example/", "https://acme.example/shop/catalogue", "https://other.example/x"]
    assert page.images == ["https://acme.example/shop/hero.jpg", "https://acme.example/img/a.png"]
    assert page.stylesheets == ["https://acme.example/shop/theme.css"]
    assert page.colours == ["#ffaa00", "#0080ff"]
    assert page.fonts == ["Brand Sans", "Lato", "Roboto Mono"]


def test_css_colours_in_every_notation():
    css = """
    a { color: #123; border-color: #11223344; background: #abcdef80; }
    b { color: rgba(255, 0, 0, 0.05); fill: hsl(240, 100%, 50%); stroke: hsla(0 0% 100% / 1); }
    c { --brand: #00AA55; outline-color: rgb(10%, 20%, 30%); color: rgb(var(--r), 0, 0); }
    #id:hover { color: #000000; }
    d { color: #00000010; }
    """
    assert css_colours(css) == ["#112233", "#112233", "#abcdef", "#0000ff", "#ffffff", "#00aa55", "#1a334d", "#000000"]


def test_inline_style_is_a_declaration_list():
    assert css_colours("color:#fff;background-color:rgb(1,2,3)") == ["#ffffff", "#010203"]


def test_fonts_from_families_shorthand_and_font_face():
    css = """
    @font-face { font-family: "Acme Display"; src: url(a.woff2); }
    h1 { font-family: 'Acme Display', "Helvetica Neue", -apple-system, sans-serif !important; }
    p { font: 400 1rem/1.5 Inter, system-ui; }
    code { font-family: var(--mono), monospace; }
    """
    assert css_fonts(css) == ["Acme Display", "Acme Display", "Helvetica Neue", "Inter"]
    assert most_used(css_fonts(css)) == ["Acme Display", "Helvetica Neue", "Inter"]


def test_google_fonts_links():
    assert google_fonts("https://fonts.googleapis.com/css2?family=Open+Sans:ital,wght@0,400&family=Roboto") == ["Open Sans", "Roboto"]
    assert google_fonts("https://fonts.googleapis.com/css?family=Lato|Noto+Serif:700") == ["Lato", "Noto Serif"]


def test_page_without_blocks_gives_its_plain_text():
    page = parse_html("<html><body><div>Just   words</div><script>no()</script></body></html>")
    assert page.text == "Just words" and page.title == "" and page.links == []


def test_bytes_and_broken_markup():
    page = parse_html("<title>Caf\u00e9</title><p>Unclosed <b>bold<p>Second".encode(), "http://x.example/")
    assert page.title == "Caf\u00e9"
    assert page.text.splitlines() == ["Unclosed bold", "Second"]


def test_decode_guesses_the_charset_when_none_is_named():
    assert decode("Cr\u00e8me".encode("utf-8")) == "Cr\u00e8me"
    assert decode("\ufeffCr\u00e8me".encode("utf-8")) == "Cr\u00e8me"
    assert decode("Cr\u00e8me \u2013".encode("cp1252")) == "Cr\u00e8me \u2013"
    assert decode("Cr\u00e8me".encode("latin-1"), "iso-8859-1") == "Cr\u00e8me"
    assert decode("Cr\u00e8me".encode("utf-8"), "no-such-charset") == "Cr\u00e8me"
