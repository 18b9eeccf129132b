"""A wrong-typed or out-of-range override is one line naming key, value and what is allowed."""
import pytest

from suite.config import check_consistency
from suite.errors import UserError
from tests.conftest import compose_train


@pytest.mark.parametrize("overrides, message", [
    (["task=roommate", "data.n_train=abc"], "data.n_train='abc' is not a whole number"),
    (["task=translation", "data.batch_size=-4"], "data.batch_size=-4 is out of range: use a whole number >= 1"),
    (["task=translation", "model.encoder.dropout=1.5"], "model.encoder.dropout=1.5 is out of range: use a number in [0, 1)"),
    (["task=translation", "model.encoder.bidirectional=maybe"], "model.encoder.bidirectional='maybe' is not true or false"),
    (["task=translation", "model.optimizer.lr=0"], "model.optimizer.lr=0 is out of range"),
    (["task=sentiment", "trainer.max_epochs=ten"], "trainer.max_epochs='ten' is not a whole number"),
    (["task=speech", "trainer.gradient_clip_val=high"], "trainer.gradient_clip_val='high' is not a number"),
    (["task=captioning", "seed=x"], "seed='x' is not a whole number"),
])
def test_bad_values_fail_in_one_line(tmp_path, overrides, message):
    with pytest.raises(UserError) as err:
        check_consistency(compose_train(tmp_path, overrides))
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("overrides", [
    ["task=translation", "model.optimizer.lr=1"],  # an int where a float is expected is a number
    ["task=translation", "data.batch_size=8", "model.encoder.dropout=0"],
    ["task=captioning", "trainer.limit_train_batches=0.5"],  # null default: any value may be meant
])
def test_good_values_pass(tmp_path, overrides):
    check_consistency(compose_train(tmp_path, overrides))


def test_the_cli_prints_one_line_and_exits_2(tmp_path):
    from tests.integration.cli import error_line, run

    proc = run("suite-train", "task=roommate", "data.n_train=abc", f"hydra.run.dir={tmp_path}", check=False)
    assert proc.returncode == 2
    assert error_line(proc) == ("error: data.n_train='abc' is not a whole number (its default is 256): "
                                "set data.n_train=<a whole number>")
