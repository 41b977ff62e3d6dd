"""Notes as rich text: Markdown blocks, the TeX subset between $…$, old caret notes, hostile text."""

import json
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_gui.core.notes import caret_html, caret_plain, math_html, render_note


def test_caret_superscripts_of_the_course_note():
    assert caret_html("z^1 = w^1 x") == "z<sup>1</sup> = w<sup>1</sup> x"
    assert caret_html("a^{l−1} δ^l") == "a<sup>l−1</sup> δ<sup>l</sup>"


def test_caret_nested_scripts_of_softmax():
    assert caret_html("e^{z_j^2} / Σ_k e^{z_k^2}") == (
        "e<sup>z<sub>j</sub><sup>2</sup></sup> / Σ<sub>k</sub> e<sup>z<sub>k</sub><sup>2</sup></sup>"
    )


@pytest.mark.parametrize(
    ("caret", "plain"),
    [
        ("C = ½ Σ_j (a_j^L − t_j)²", "C = ½ Σⱼ (aⱼᴸ − tⱼ)²"),
        ("w_jk^{l+1} δ_k^{l+1}", "wⱼₖˡ⁺¹ δₖˡ⁺¹"),
        ("f'(z) and x^2", "f′(z) and x²"),
        ("(1/n_L) and leaky_relu", "(1/n_L) and leaky_relu"),  # no subscript L in Unicode; not a script
        ("a_{j}^{L−1}", "aⱼᴸ⁻¹"),
    ],
)
def test_caret_in_plain_text_takes_unicode_scripts_where_there_are_some(caret, plain):
    assert caret_plain(caret) == plain


def test_caret_subscript_needs_a_one_letter_base():
    assert caret_html("w_jk^l and leaky_relu") == "w<sub>jk</sub><sup>l</sup> and leaky_relu"
    assert caret_html("∂C/∂w_21^1") == "∂C/∂w<sub>21</sub><sup>1</sup>"


def test_caret_prime_but_not_apostrophe():
    assert caret_html("σ'(z) and f'") == "σ′(z) and f′"
    assert caret_html("don't") == "don&#x27;t"


def test_lone_caret_and_underscore_stay():
    assert caret_html("a ^ b _ c and x^ ") == "a ^ b _ c and x^ "


@pytest.mark.parametrize(
    ("tex", "html"),
    [
        ("x^2", "<i>x</i><sup>2</sup>"),
        ("w_{jk}^{l}", "<i>w</i><sub>jk</sub><sup><i>l</i></sup>"),
        ("a^{l-1}", "<i>a</i><sup><i>l</i>−1</sup>"),
        ("\\delta", "<i>δ</i>"),
        ("\\Sigma", "Σ"),
        ("\\sum_k", "∑<sub><i>k</i></sub>"),
        ("a \\odot b", "<i>a</i> ⊙ <i>b</i>"),
        ("f'", "<i>f</i>′"),
        ("\\frac{a}{b}", "<i>a</i>/<i>b</i>"),
        ("\\frac{\\partial C}{\\partial b}", "∂<i>C</i>/∂<i>b</i>"),
        ("\\frac{a+b}{2}", "(<i>a</i>+<i>b</i>)/2"),
        ("\\log a", "log <i>a</i>"),
        ("\\text{loss} C", "loss <i>C</i>"),
        ("\\unknown x", "\\unknown <i>x</i>"),
    ],
)
def test_tex_subset(tex, html):
    assert math_html(tex) == html


def test_markdown_blocks_and_emphasis():
    note = "# Exercise\n\nPredict *every* number, **then** step.\n\n- first\n- second $z^1$\n\n1. one\n2. two"
    assert render_note(note) == (
        "<h3>Exercise</h3>"
        "<p>Predict <i>every</i> number, <b>then</b> step.</p>"
        "<ul><li>first</li><li>second <i>z</i><sup>1</sup></li></ul>"
        "<ol><li>one</li><li>two</li></ol>"
    )


def test_line_breaks_kept_and_list_items_continue():
    assert render_note("one\ntwo") == "<p>one<br>two</p>"
    assert render_note("- item\n  goes on\nafter") == "<ul><li>item goes on</li></ul><p>after</p>"


def test_code_and_escaped_dollar_are_literal():
    assert render_note("costs \\$5, `a^2 <b>`") == "<p>costs $5, <code>a^2 &lt;b&gt;</code></p>"


def test_hostile_text_is_escaped_everywhere():
    note = "<script>x</script> *<img src=x>* $<b>$ # <h1>\n\n# <i>t</i>\n- <a href=x>"
    rendered = render_note(note)
    for tag in ("<script", "<img", "<a ", "<h1", "<b>&"):
        assert tag not in rendered
    assert "&lt;script&gt;" in rendered and "&lt;img src=x&gt;" in rendered


def test_private_placeholders_in_text_cannot_inject():
    assert "\ue000" not in render_note("\ue0000\ue001 $x$")


def test_unclosed_math_is_plain_text():
    assert render_note("costs $5 today") == "<p>costs $5 today</p>"


def test_every_example_note_renders_without_carets():
    for path in (files("backprop_gui.resources") / "examples").iterdir():
        if path.name.endswith(".json"):
            note = json.loads(path.read_text(encoding="utf-8")).get("note", "")
            rendered = render_note(note)
            assert "^" not in rendered, path.name
            assert "<sup>" in rendered or not note.count("^"), path.name


@given(st.text(alphabet="ab_^{}()1Lj−-' ", max_size=16))
def test_any_caret_text_in_plain_scripts_keeps_its_letters_and_spaces(text):
    """Whatever the carets, braces and primes, the plain form keeps every space and letter it does not
    raise or lower (nothing is lost, nothing raises)."""
    plain = caret_plain(text)
    assert plain.count(" ") == text.count(" ")
    assert len(plain) <= len(text)
