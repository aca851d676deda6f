"""The brand's voice learned from its own texts: two clearly different voices (a calm premium brand
and a shouty discounter) score each other low and themselves high, the furthest sentences are the
off-voice ones with the reason in words, and the brand_voice check flags them in check_copy."""

from __future__ import annotations

import pytest

from studio.core.compliance.engine import check_copy
from studio.core.compliance.rules import RuleSet, parse_rules
from studio.core.compliance.voice import split_sentences, voice_score
from studio.core.errors import BadInput

CALM = [
    "Our linen is woven slowly in a small mill in Flanders. Each sheet softens with every wash.",
    "We make fewer things, and we make them well. The Harbour collection is cut from undyed flax.",
    "Rest is a craft. Our pillows are filled with responsibly sourced down and finished by hand.",
    "A quiet bedroom begins with honest materials. Ours are chosen for how they feel in ten years.",
    "The autumn range arrives in muted clay and oat tones. It pairs well with the pieces already in your home.",
]
SHOUTY = [
    "MEGA DEALS!!! Up to 70% OFF 🔥",
    "Don't miss out!!! Grab yours NOW!",
    "Why pay more?? Prices SLASHED today only!!!",
    "HUGE savings on EVERYTHING!!! 🔥🔥",
    "Buy 2 get 1 FREE!!! Hurry, ends SOON!",
]
CALM_NEW = ["Our new blankets are woven from undyed wool in a family mill. They grow softer with time.",
            "Honest cotton, finished by hand and made to last for many quiet years."]
SHOUTY_NEW = ["CRAZY PRICES!!! 50% OFF 🔥", "Last chance!!! Shop NOW before it's GONE!"]


def test_texts_in_the_brand_voice_score_high_and_the_other_voice_low():
    assert voice_score(CALM, CALM_NEW).score >= 80
    assert voice_score(CALM, SHOUTY_NEW).score <= 35
    assert voice_score(SHOUTY, SHOUTY_NEW).score >= 70
    assert voice_score(SHOUTY, CALM_NEW).score <= 35


def test_the_furthest_sentences_are_the_off_voice_ones_with_the_reason_in_words():
    text = CALM_NEW[0] + " " + SHOUTY_NEW[0]
    report = voice_score(CALM, [text])
    assert {s.text for s in report.sentences[:2]} == {"CRAZY PRICES!!!", "50% OFF 🔥"}
    assert all(text[s.start:s.end] == s.text for s in report.sentences)
    shout, sale = sorted(report.sentences[:2], key=lambda s: s.start)
    assert "exclamation marks the brand never uses" in shout.why and "much more capitals than the brand's" in shout.why
    assert "emoji the brand never uses" in sale.why and "numbers the brand never uses" in sale.why
    assert max(s.distance for s in report.sentences[2:]) < 1.0 and report.sentences[1].distance > 2.0  # calm ones near, shouts far
    assert [s.distance for s in report.sentences] == sorted((s.distance for s in report.sentences), reverse=True)
    long_calm = voice_score(SHOUTY, [CALM[4]]).sentences
    assert any("much longer sentences than the brand's" in s.why for s in long_calm)


def test_the_score_is_deterministic():
    first, second = voice_score(CALM, CALM_NEW + SHOUTY_NEW), voice_score(list(CALM), CALM_NEW + SHOUTY_NEW)
    assert first == second and first.as_dict()["sentences"][0]["text"] == second.sentences[0].text


def test_sentences_split_on_marks_and_line_breaks_in_several_languages():
    text = "Bonjour ! Comment allez-vous ? Très bien.\nNeue Kollektion… jetzt da 5.5 Zoll\n今日は晴れ。明日は雨！¿Listo?"
    assert [s.text for s in split_sentences(text)] == [
        "Bonjour !", "Comment allez-vous ?", "Très bien.", "Neue Kollektion…", "jetzt da 5.5 Zoll", "今日は晴れ。", "明日は雨！", "¿Listo?"]
    assert all(text[s.start:s.end] == s.text for s in split_sentences(text))
    assert split_sentences("!!! ... \n\n") == []


def test_french_voices_are_told_apart_too():
    calme = ["Notre lin est tissé lentement dans un petit atelier. Chaque drap s'adoucit au fil des lavages.",
             "Nous faisons moins de choses, et nous les faisons bien. La collection est taillée dans un lin écru.",
             "Le repos est un artisanat. Nos oreillers sont garnis de duvet et finis à la main."]
    assert voice_score(calme, ["Un plaid tissé dans un atelier familial, qui s'adoucit avec le temps."]).score >= 70
    assert voice_score(calme, ["PROMO DE FOLIE!!! -70% 🔥 FONCEZ!!!"]).score <= 30


def test_fewer_than_three_samples_or_no_text_is_refused_with_what_to_do():
    with pytest.raises(BadInput, match="at least 3 of its own texts; 2 were given"):
        voice_score(CALM[:2] + ["   "], CALM_NEW)
    with pytest.raises(BadInput, match="no text to score"):
        voice_score(CALM, [])
    with pytest.raises(BadInput, match="no text to score"):
        voice_score(CALM, ["", "  \n ", "!!!"])


def test_the_brand_voice_check_flags_off_voice_sentences_with_their_span_in_check_copy():
    document = {"id": "brand.voice", "check": "brand_voice", "params": {"samples": CALM, "threshold": 2.0},
                "fields": ["primary_text"], "severity": "warning", "message": "Far from the brand's voice: {why}.", "hint": "Rewrite it."}
    rules, problems = parse_rules([document], "test")
    assert problems == []
    text = CALM_NEW[0] + " " + SHOUTY_NEW[1]
    findings = [f for f in check_copy(text, "meta", "primary_text", ruleset=RuleSet(rules, {}, [])) if f.rule_id == "brand.voice"]
    assert findings and all(f.severity == "warning" for f in findings)
    assert {text[f.span[0]:f.span[1]] for f in findings} == {"Last chance!!!", "Shop NOW before it's GONE!"}
    assert "exclamation marks the brand never uses" in findings[0].message
    calm = check_copy(CALM_NEW[1], "meta", "primary_text", ruleset=RuleSet(rules, {}, []))
    assert [f for f in calm if f.rule_id == "brand.voice"] == []
