"""Quiz: questions for the next phase, grading typed answers, score and settings."""

import json

import numpy as np
import pytest

from backprop_gui.core.formatting import format_number
from backprop_gui.core.network import build_network
from backprop_gui.core.quiz import (
    QUIZ_QUANTITIES,
    Question,
    QuizFlow,
    QuizSettings,
    Score,
    StepRequest,
    expected,
    grade,
    hint,
    last_digit_unit,
    parse_number,
    questions_for,
)
from backprop_gui.core.stepper import Quantity, Stepper


def make_stepper(has_bias=None) -> Stepper:
    network = build_network(2, [3, 2], ["relu", "sigmoid"], seed=1, has_bias=has_bias)
    network.layers[0].biases[:] = [0.1, -0.2, 0.3]
    return Stepper(network, np.array([[0.5, 1.0], [1.0, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), 0.5)


# --- typed answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("−0.5", -0.5),
        ("-0.5", -0.5),
        ("0,5", 0.5),
        ("−0,25", -0.25),
        ("1e-3", 0.001),
        ("1E−3", 0.001),
        (" +2 ", 2.0),
        (".5", 0.5),
        ("3.", 3.0),
        ("1.5×10^−3", 0.0015),
    ],
)
def test_answers_are_read_as_people_type_them(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "type a number first"),
        ("abc", "“abc” is not a number"),
        ("1,000.5", "is not a number"),
        ("1,2,3", "is not a number"),
        ("nan", "is not a number"),
        ("1e999", "too large"),
    ],
)
def test_what_is_not_a_number_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_number(text)


# --- grading -------------------------------------------------------------------------


def test_an_answer_that_shows_the_same_at_the_display_precision_is_right():
    settings = QuizSettings(tolerance_mode="absolute", tolerance=1e-12)
    assert grade(0.3775, 0.377541, settings, digits=4).correct
    assert not grade(0.3775, 0.377541, settings, digits=6).correct


def test_precision_tolerance_is_one_unit_of_the_last_shown_digit():
    settings = QuizSettings()
    assert last_digit_unit(0.12345, 4) == pytest.approx(1e-4)
    assert last_digit_unit(-52.1, 3) == pytest.approx(0.1)
    assert grade(0.1234, 0.12345, settings, 4).correct  # computed from rounded intermediates
    assert not grade(0.1237, 0.12345, settings, 4).correct
    assert not grade(0.5, 0.12345, settings, 4).correct
    assert grade(0.0, 0.0, settings, 4).correct


def test_absolute_and_relative_tolerances():
    absolute = QuizSettings(tolerance_mode="absolute", tolerance=0.01)
    assert grade(1.009, 1.0, absolute, 6).correct and not grade(1.02, 1.0, absolute, 6).correct
    relative = QuizSettings(tolerance_mode="relative", tolerance=0.05)
    assert grade(-104.0, -100.0, relative, 6).correct and not grade(-106.0, -100.0, relative, 6).correct


def test_grade_messages_say_right_or_wrong_in_words_with_the_value():
    right = grade(0.25, 0.25, QuizSettings(), 4)
    assert right.message("z_1^2") == "Right: z_1^2 = 0.25"
    wrong = grade(-0.5, 0.25, QuizSettings(), 4)
    text = wrong.message("z_1^2")
    assert text.startswith("Wrong: you said −0.5, but z_1^2 = 0.25 (off by 0.75")


def test_score_counts_right_of_asked():
    score = Score()
    assert score.text == "Score: no answers yet"
    for answer in (0.25, 0.3, 0.25):
        score.add(grade(answer, 0.25, QuizSettings(), 4))
    assert (score.right, score.asked) == (2, 3)
    assert score.text == "Score: 2 of 3 right (67 %)"


# --- settings ------------------------------------------------------------------------


def test_settings_round_trip_through_json():
    settings = QuizSettings([Quantity.DELTA, Quantity.NEW_WEIGHTS], "relative", 0.02)
    data = json.loads(json.dumps(settings.to_dict()))
    assert data == {"quantities": ["delta", "w_new"], "tolerance_mode": "relative", "tolerance": 0.02}
    assert QuizSettings.from_dict(data) == settings
    assert QuizSettings.from_dict({}) == QuizSettings()
    assert QuizSettings().quantities == list(QUIZ_QUANTITIES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantities": ["z", "q"]}, "quiz.quantities: unknown quantity 'q'"),
        ({"quantities": "z"}, "quiz.quantities: must be a list"),
        ({"tolerance_mode": "loose"}, "quiz.tolerance_mode: must be one of precision, absolute, relative"),
        ({"tolerance": 0}, "quiz.tolerance: must be a positive number"),
        ({"tolerance": True}, "quiz.tolerance: must be a positive number"),
        ({"colour": 1}, "quiz.colour: unknown entry"),
        ("z", "quiz: must be an object"),
    ],
)
def test_bad_settings_name_the_entry(data, message):
    with pytest.raises(ValueError, match=message):
        QuizSettings.from_dict(data)


# --- questions for the next phase ----------------------------------------------------


def labels(stepper, settings=None, target=None):
    return [q.label for q in questions_for(stepper, settings or QuizSettings(), target)]


def test_each_phase_asks_about_what_it_will_reveal():
    s = make_stepper()
    asked = []
    while not s.at_end:
        asked.append((s.next_phase.label, labels(s, target=(1, 1, None))))
        s.step()
    assert asked == [
        ("Forward 1", ["z_2^1", "a_2^1"]),
        ("Forward 2", ["z_1^2", "a_1^2"]),  # the selection is not in layer 2: neuron 1
        ("Loss", ["C"]),
        ("Backward 2", ["δ_1^2", "∂C/∂b_1^2"]),
        ("Backward 1", ["δ_2^1", "∂C/∂b_2^1"]),
        ("Update", ["b_2^1 after the update"]),
    ]
    assert labels(s) == []  # the pass is over: nothing left to predict


def test_an_edge_asks_about_its_gradient_and_its_update():
    s = make_stepper()
    s.run_to(2)  # Loss done; Backward 2 next
    assert labels(s, target=(2, 1, 2)) == ["∂C/∂w_23^2"]
    s.step()
    assert labels(s, target=(2, 1, 2)) == ["δ_1^1", "∂C/∂b_1^1"]  # Backward 1: the edge is in layer 2
    s.step()
    assert labels(s, target=(2, 1, 2)) == ["w_23^2 after the update"]


def test_settings_choose_the_quantities_and_fall_back_to_the_other_kind():
    s = make_stepper()
    only_delta = QuizSettings([Quantity.DELTA])
    assert labels(s, only_delta) == []  # Forward 1 reveals no δ
    s.run_to(2)
    assert labels(s, only_delta, (2, 0, 1)) == ["δ_1^2"]  # edge selected, but ∂C/∂w is not asked
    assert labels(s, QuizSettings([Quantity.GRAD_WEIGHTS]), (2, 0, None)) == ["∂C/∂w_11^2"]


def test_values_already_stepped_into_are_not_asked():
    s = make_stepper()
    s.step_into()  # z_1^1, a_1^1 shown
    assert labels(s, target=(1, 0, None)) == []
    assert labels(s, target=(1, 2, None)) == ["z_3^1", "a_3^1"]


def test_a_layer_without_bias_is_not_asked_about_its_bias():
    s = make_stepper(has_bias=[False, True])
    s.run_to(len(s.phases) - 3)  # Backward 1 next
    assert labels(s, target=(1, 0, None)) == ["δ_1^1"]


def test_the_expected_value_is_what_the_stepper_reveals_next():
    s = make_stepper()
    settings = QuizSettings()
    for target in [(1, 2, None), (2, 1, None), (2, 1, 0), (1, 0, 1)]:
        s.reset_pass()
        while not s.at_end:
            questions = questions_for(s, settings, target)
            answers = [expected(s, q) for q in questions]
            for q in questions:  # nothing of the question is known before the reveal
                assert np.isnan(s.value(q.quantity, q.layer).values).any()
            s.step()
            for q, answer in zip(questions, answers, strict=True):
                shown = s.value(q.quantity, q.layer).values
                row = shown[q.j] if q.quantity is not Quantity.LOSS else shown[0]
                value = row[q.k] if q.k is not None else row
                assert np.atleast_1d(value)[0] == answer


def test_hints_give_the_general_formula_and_no_number_of_the_pass():
    s = make_stepper()
    s.run_to(2)  # Forward 1, 2, Loss done: Backward 2 next
    for question in questions_for(s, QuizSettings(), (2, 0, None)):
        text = hint(s, question)
        assert format_number(expected(s, question), 4) not in text
    delta = Question(Quantity.DELTA, 2, 0, None, 3)
    assert hint(s, delta).splitlines()[:2] == [
        "δ_j^L = ∂C/∂a_j^L · f′(z_j^L)",
        "here: δ_1^2 = ∂C/∂a_1^2 · f′(z_1^2)",
    ]
    update = Question(Quantity.NEW_WEIGHTS, 1, 0, 1, 6)
    assert "η = 0.5" in hint(s, update)


def test_score_counts_skips_as_not_right():
    score = Score()
    score.add(grade(0.25, 0.25, QuizSettings(), 4))
    score.skip()
    assert score.text == "Score: 1 of 2 right (50 %), 1 skipped"
    fresh = Score()
    fresh.skip()
    assert fresh.text == "Score: 0 of 1 right (0 %), 1 skipped"


def test_quiz_flow_asks_before_it_skips():
    flow = QuizFlow()
    assert flow.step_pressed(asking=False) is StepRequest.STEP
    assert flow.step_pressed(asking=True) is StepRequest.CONFIRM
    assert flow.confirming
    assert flow.step_pressed(asking=True) is StepRequest.SKIP
    assert not flow.confirming
    assert flow.step_pressed(asking=True) is StepRequest.CONFIRM
    flow.settled()  # answered with Enter
    assert flow.step_pressed(asking=True) is StepRequest.CONFIRM
