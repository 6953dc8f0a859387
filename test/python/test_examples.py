"""The examples run and reach their targets."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

import train_digits  # noqa: E402


def test_train_digits_eager_reaches_95_percent():
    assert train_digits.main(["--epochs", "8"]) >= 0.95


def test_data_loader_batches_and_shuffles():
    import numpy as np

    from tianc.data import DataLoader

    x, y = np.arange(10, dtype=np.float32), np.arange(10)
    batches = list(DataLoader((x, y), batch_size=4, shuffle=True, drop_last=True, seed=1))
    assert len(batches) == 2 and all(b[0].shape == (4,) for b in batches)
    seen = np.concatenate([b[1].numpy() for b in batches])
    assert len(set(seen.tolist())) == 8
    assert [b[0].shape for b in DataLoader((x, y), batch_size=4)] == [(4,), (4,), (2,)]
