"""The model file that `tianc compile` reads: the digits CNN of
examples/train_digits.py with its trained weights, for a batch of one 8x8
image. It defines `model` and `example_inputs`."""

import os
import sys

import tianc as tc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from train_digits import DigitsCNN  # noqa: E402

WEIGHTS = os.environ.get("DIGITS_WEIGHTS", "digits_cnn.npz")

model = DigitsCNN()
model.load_state_dict(tc.load(WEIGHTS))
model.eval()
example_inputs = (tc.zeros(1, 1, 8, 8),)
