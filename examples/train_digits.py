"""Train a small CNN on scikit-learn's bundled digits (8x8 images, no
download) in tianc's eager mode.

    .venv/bin/python examples/train_digits.py [--epochs 12] [--compiled] [--save W.npz]

--compiled runs the same training step through tc.jit.trace; --save writes
the trained weights (tc.save), as examples/deploy/ uses them.
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits

import tianc as tc
from tianc import functional as F
from tianc import nn
from tianc.data import DataLoader
from tianc.progress import Progress


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # 16 x 4 x 4
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # 32 x 2 x 2
        return self.fc(x.flatten(1))


def load(seed=0):
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # [N, 1, 8, 8] in [0, 1]
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    split = int(0.8 * len(labels))
    train, test = order[:split], order[split:]
    return (images[train], labels[train]), (images[test], labels[test])


def accuracy(model, images, labels):
    model.eval()
    with tc.no_grad():
        predictions = F.argmax(model(tc.tensor(images)), 1).numpy()
    model.train()
    return float((predictions == labels).mean())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--compiled", action="store_true", help="trace the training step")
    parser.add_argument("--save", help="write the trained weights to this .npz file")
    args = parser.parse_args(argv)

    tc.manual_seed(0)
    (train_x, train_y), (test_x, test_y) = load()
    model = DigitsCNN()
    optimizer = tc.optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader((train_x, train_y), args.batch_size, shuffle=True, drop_last=True)

    def step(x, y):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    train_step = tc.jit.trace(step) if args.compiled else step
    for epoch in range(1, args.epochs + 1):
        bar = Progress(loader, f"epoch {epoch:2d}/{args.epochs}")
        total = 0.0
        for batch, (x, y) in enumerate(bar, 1):
            total += train_step(x, y).item()
            bar.set(loss=total / batch)
    acc = accuracy(model, test_x, test_y)
    print(f"test accuracy: {acc:.4f} ({len(test_y)} images)")
    if args.save:
        tc.save(model.state_dict(), args.save)
    return acc


if __name__ == "__main__":
    main()
