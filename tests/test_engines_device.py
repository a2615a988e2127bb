"""Device and dtype choice, with and without a (simulated) GPU."""

from __future__ import annotations

import pytest
import torch

from service.engines.device import resolve_dtype
from service.engines.device import resolve_torch_device as resolve_device
from service.errors import ConfigError


@pytest.fixture
def no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)


def test_cpu_is_always_cpu(gpu):
    assert resolve_device("cpu") == "cpu"
    assert resolve_device(" CPU ") == "cpu"


def test_auto_without_gpu_is_cpu(no_gpu):
    assert resolve_device("auto") == "cpu"
    assert resolve_device("") == "cpu"


def test_auto_with_gpu_is_cuda(gpu):
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cuda") == "cuda"
    assert resolve_device("cuda:1") == "cuda:1"


def test_auto_matches_this_machine():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")


def test_cuda_without_gpu_is_a_clear_config_error(no_gpu):
    with pytest.raises(ConfigError) as err:
        resolve_device("cuda")
    message = str(err.value)
    assert message.startswith("device 'cuda' was asked for but PyTorch")
    assert "sees no CUDA GPU" in message
    assert message.endswith("use --device cpu or --device auto") and "\n" not in message


def test_unknown_device_lists_the_choices():
    with pytest.raises(ConfigError, match=r"unknown device 'tpu'; choose one of: auto, cpu, cuda"):
        resolve_device("tpu")


def test_auto_dtype_is_float32_on_cpu():
    assert resolve_dtype("cpu", "auto") is torch.float32


@pytest.mark.parametrize(("bf16", "expected"), [(True, torch.bfloat16), (False, torch.float16)])
def test_auto_dtype_on_gpu_prefers_bfloat16(monkeypatch, bf16: bool, expected: torch.dtype):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: bf16)
    assert resolve_dtype("cuda", "auto") is expected
    assert resolve_dtype("cuda:0", "auto") is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("float32", torch.float32), ("bfloat16", torch.bfloat16), ("Float16", torch.float16)],
)
def test_explicit_dtype_is_honoured(name: str, expected: torch.dtype):
    assert resolve_dtype("cpu", name) is expected
    assert resolve_dtype("cuda", name) is expected


def test_unknown_dtype_lists_the_choices():
    with pytest.raises(ConfigError, match="unknown dtype 'int8'; choose one of: auto, float32"):
        resolve_dtype("cpu", "int8")
