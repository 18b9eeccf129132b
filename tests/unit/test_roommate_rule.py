"""Roommate: the hand-built matrices follow the rule through the module's own forward code; the
evaluation rows score per day and per week."""
import pytest
import torch

from suite.errors import UserError
from tasks.roommate.datamodule import RoommateDataModule, make_weeks
from tasks.roommate import RoommateMeta, next_dishes
from tasks.roommate.module import ClassicStep, RoommateModule, hand_built
from tasks.roommate.predict import parse

DISHES = ["apple pie", "burger", "chicken"]


def module(dishes=DISHES, cell="classic") -> RoommateModule:
    meta = RoommateMeta(dishes=dishes, weather=["sunny", "rainy"], start_dish=dishes[0])
    return RoommateModule({"cell": cell, "hidden_size": 8, "num_layers": 1}, meta).eval()


def test_the_rule():
    assert next_dishes(0, [0, 1, 1, 0, 0, 0], 3) == [0, 1, 1, 1, 2, 0, 1]  # sunny next, rainy same, cyclic


@pytest.mark.parametrize("dishes", [DISHES, ["soup", "pasta", "curry", "salad"]])
def test_hand_built_matrices_give_accuracy_one_with_the_same_forward_code(dishes):
    m = module(dishes)
    weeks = make_weeks(200, 21, len(dishes), 0.5, seed=3)
    weather = torch.stack([w["weather"] for w in weeks])  # (B, T)
    truth = torch.stack([w["dishes"] for w in weeks])  # (B, T + 1)
    assert (m.week(weather, truth[:, 0]) == truth[:, 1:]).float().mean() < 0.9  # random weights do not know it
    with torch.no_grad():
        for name, value in hand_built(len(dishes)).items():
            getattr(m.step, name).copy_(value)
    assert torch.equal(m.week(weather, truth[:, 0]), truth[:, 1:])  # free-running, 21 days, every week


def test_eval_rows_score_days_and_whole_weeks():
    m = module()
    weeks = make_weeks(3, 5, 3, 0.5, seed=1)
    batch = {"weather": torch.stack([w["weather"] for w in weeks]), "dishes": torch.stack([w["dishes"] for w in weeks]),
             "ids": [w["id"] for w in weeks], "size": 3}
    loss, rows = m.eval_batch(batch, "val")
    assert loss.ndim == 0 and [r["id"] for r in rows] == [0, 1, 2] and all(len(r["predicted"]) == 5 for r in rows)
    for r, wrong in zip(rows, (0, 1, 5)):  # a perfect week, one wrong day, a week all wrong
        r["predicted"] = [(d + 1) % 3 if t < wrong else d for t, d in enumerate(r["dishes"][1:])]
    assert m.score(rows, "val") == pytest.approx({"acc": 9 / 15, "week_acc": 1 / 3})
    assert m.example(rows[0])["target"] == m.example(rows[0])["predicted"]


def test_datamodule_has_no_test_split_and_batches_whole_weeks():
    data = {"name": "roommate_days", "dishes": DISHES, "start_dish": "burger", "days": 7, "n_train": 10, "n_val": 4,
            "p_sunny": 0.5, "seed": 0, "batch_size": 4, "num_workers": 0}
    dm = RoommateDataModule(data)
    dm.setup("fit")
    assert not dm.has_test and (len(dm.items["train"]), len(dm.items["val"])) == (10, 4)
    assert dm.items["val"][0]["weather"].tolist() != dm.items["train"][0]["weather"].tolist()  # new sequences
    batch = next(iter(dm.val_dataloader()))
    assert batch["weather"].shape == (4, 7) and batch["dishes"].shape == (4, 8) and batch["ids"] == [0, 1, 2, 3]
    assert dm.metadata().to_dict() == {"data": data, "dishes": DISHES, "weather": ["sunny", "rainy"],
                                       "start_dish": "burger"}
    with pytest.raises(UserError, match="data.start_dish='pizza' is not one of data.dishes"):
        RoommateDataModule({**data, "start_dish": "pizza"}).setup("fit")


def test_hand_built_votes_keep_exactly_one_entry():
    step = ClassicStep(3)
    with torch.no_grad():
        for name, value in hand_built(3).items():
            getattr(step, name).copy_(value)
    burger, rainy, sunny = torch.tensor([[0.0, 1, 0]]), torch.tensor([[0.0, 1]]), torch.tensor([[1.0, 0]])
    logits, votes, _ = step(burger, rainy)
    assert votes.tolist() == [[0, 1, 0, 0, 0, 0]] and logits.tolist() == [[0, 1, 0]]  # same dish
    logits, votes, _ = step(burger, sunny)
    assert votes.tolist() == [[0, 0, 0, 0, 0, 1]] and logits.tolist() == [[0, 0, 1]]  # next dish: chicken


def test_parse_prediction_input():
    assert parse("sunny,rainy, Sunny", DISHES, ["sunny", "rainy"], "apple pie") == (0, [0, 1, 0])
    assert parse("chicken: rainy sunny", DISHES, ["sunny", "rainy"], "apple pie") == (2, [1, 0])
    for bad, words in (("cloudy,sunny", "unknown weather 'cloudy'"), ("pizza: sunny", "unknown start dish 'pizza'"),
                       ("", "input has no weather")):
        with pytest.raises(UserError, match=words):
            parse(bad, DISHES, ["sunny", "rainy"], "apple pie")


@pytest.mark.parametrize("cell", ["classic", "lstm", "gru", "rnn"])
def test_sequence_outputs_states_have_one_step_per_day(cell):
    m = module(cell=cell)
    weeks = make_weeks(4, 9, 3, 0.5, seed=0)
    batch = {"weather": torch.stack([w["weather"] for w in weeks]), "dishes": torch.stack([w["dishes"] for w in weeks])}
    loss, states = m.sequence_outputs(batch)
    assert states.shape[:2] == (4, 9) and loss.ndim == 0
    (g,) = torch.autograd.grad(loss, states)
    # torch cells carry their own state: earlier days are reached; the teacher-forced classic cell has none
    assert (g[:, :-1].abs().sum() > 0) == (cell != "classic")


def test_predict_prints_learned_next_to_hand_built_and_the_week():
    from omegaconf import OmegaConf

    from tasks.roommate.predict import predict

    m = module()
    with torch.no_grad():
        for name, value in hand_built(3).items():
            getattr(m.step, name).copy_(value)
    row = predict(m, OmegaConf.create({"input": "sunny rainy sunny sunny"}))[0]  # day 0: data.start_dish
    assert row["start_dish"] == "apple pie" and row["dishes"] == row["rule"] == ["burger", "burger", "chicken",
                                                                                 "apple pie"]
    text = row["text"]
    assert "learned (left) vs hand-built (right)" in text and "predicted week (4/4" in text
    assert "[  1.00   0.00   0.00]   [  1.00   0.00   0.00]" in text  # the food matrix's first row, twice
