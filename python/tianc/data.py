"""Minimal data loading over numpy arrays.

    loader = DataLoader((images, labels), batch_size=32, shuffle=True)
    for x, y in loader: ...      # tianc Tensors
"""

import numpy as np

from .tensor import Tensor


class DataLoader:
    """Batches of equal-length arrays (features, labels, ...) as Tensors.

    ``drop_last`` keeps every batch the same shape, so eager kernels and
    traced variants compile once."""

    def __init__(self, arrays, batch_size=32, shuffle=False, drop_last=False, seed=0):
        self.arrays = [np.asarray(a) for a in arrays]
        lengths = {len(a) for a in self.arrays}
        if len(lengths) != 1:
            raise ValueError(f"DataLoader: arrays have different lengths {sorted(lengths)}")
        self.length = lengths.pop()
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        full, rest = divmod(self.length, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self):
        order = self.rng.permutation(self.length) if self.shuffle else np.arange(self.length)
        for batch in range(len(self)):
            index = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            yield tuple(Tensor(a[index]) for a in self.arrays)
