"""SuiteModule basics: batches move their tensors only; the non-finite check can be turned off."""
import torch

from suite.module import SuiteModule

MODEL = {"optimizer": {"_target_": "torch.optim.SGD", "_partial_": True, "lr": 0.1}}


def test_flat_batches_move_their_tensors_only():
    module = SuiteModule(MODEL, {})
    refs = ["a red square", "two circles"]
    batch = {"src": torch.ones(2, 3), "refs": refs, "size": 2}
    same = module.transfer_batch_to_device(batch, torch.device("cpu"), 0)
    assert same is batch  # already there: nothing to do
    moved = module.transfer_batch_to_device(batch, torch.device("meta"), 0)
    assert moved["src"].device.type == "meta" and moved["refs"] is refs and moved["size"] == 2


def test_nested_batches_use_lightnings_mover():
    module = SuiteModule(MODEL, {})
    batch = {"pair": (torch.ones(1), torch.zeros(1)), "parts": [torch.ones(2)]}
    moved = module.transfer_batch_to_device(batch, torch.device("meta"), 0)
    assert moved["pair"][0].device.type == "meta" and moved["parts"][0].device.type == "meta"


def test_max_nonfinite_steps_zero_turns_the_check_off():
    module = SuiteModule(MODEL, {})
    module.max_nonfinite_steps = 0
    weight = torch.nn.Parameter(torch.ones(2))
    module.backward((weight * float("nan")).sum())  # no host read of the loss, no trainer needed
    assert torch.isnan(weight.grad).all() and module.nonfinite_total == 0
