"""Well-known architectures written in PyTorch (no torchvision), small
enough to export, import and compile in a test: ResNet-50's bottleneck
stack, MobileNetV2's inverted residuals, a DenseNet block stack, an
Inception block and a BERT-style encoder with an embedding and a mask."""

import torch
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.body = nn.Sequential(
            nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.body(x) + self.skip(x))


class ResNet50(nn.Module):
    """ResNet-50's layout (3, 4, 6, 3 bottlenecks), at a quarter of the width."""

    def __init__(self, width=16, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width),
                                  nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], width
        for stage, count in enumerate((3, 4, 6, 3)):
            w = width * 2 ** stage
            for i in range(count):
                blocks.append(Bottleneck(cin, w, 2 if i == 0 and stage > 0 else 1))
                cin = w * 4
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


class MobileNetV2(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        layers = [nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6()]
        cin = 16
        for expand, cout, count, stride in ((1, 8, 1, 1), (6, 12, 2, 2), (6, 16, 3, 2),
                                            (6, 32, 2, 2)):
            for i in range(count):
                layers.append(InvertedResidual(cin, cout, stride if i == 0 else 1, expand))
                cin = cout
        layers += [nn.Conv2d(cin, 64, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU6()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


class DenseBlocks(nn.Module):
    """Two dense blocks (each layer's output concatenated to its input) with a
    transition (1x1 conv, 2x2 average pool) between them."""

    def __init__(self, cin=16, growth=8, layers=4):
        super().__init__()
        self.stem = nn.Conv2d(3, cin, 3, padding=1)
        self.block1 = nn.ModuleList()
        channels = cin
        for _ in range(layers):
            self.block1.append(nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(),
                                             nn.Conv2d(channels, growth, 3, padding=1)))
            channels += growth
        self.transition = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(),
                                        nn.Conv2d(channels, channels // 2, 1), nn.AvgPool2d(2))
        channels //= 2
        self.block2 = nn.ModuleList()
        for _ in range(layers):
            self.block2.append(nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(),
                                             nn.Conv2d(channels, growth, 3, padding=1)))
            channels += growth
        self.head = nn.Linear(channels, 10)

    def forward(self, x):
        x = self.stem(x)
        for layer in self.block1:
            x = torch.cat([x, layer(x)], 1)
        x = self.transition(x)
        for layer in self.block2:
            x = torch.cat([x, layer(x)], 1)
        return self.head(x.mean((2, 3)))


class InceptionBlock(nn.Module):
    """GoogLeNet's inception module: 1x1, 3x3, 5x5 and pool branches."""

    def __init__(self, cin=32):
        super().__init__()
        self.b1 = nn.Conv2d(cin, 16, 1)
        self.b3 = nn.Sequential(nn.Conv2d(cin, 16, 1), nn.ReLU(), nn.Conv2d(16, 24, 3, padding=1))
        self.b5 = nn.Sequential(nn.Conv2d(cin, 4, 1), nn.ReLU(), nn.Conv2d(4, 8, 5, padding=2))
        self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, 8, 1))
        self.avg = nn.AvgPool2d(3, 1, 1, count_include_pad=False)

    def forward(self, x):
        branches = [self.b1(x), self.b3(x), self.b5(x), self.pool(x)]
        return torch.relu(self.avg(torch.cat(branches, 1)))


class BertEncoder(nn.Module):
    """Token and position embeddings, LayerNorm, two post-LN encoder layers
    with an attention padding mask, erf GELU, a pooled tanh head."""

    def __init__(self, vocab=100, d=64, heads=4, layers=2, seq=16):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, d), nn.Embedding(seq, d)
        self.norm = nn.LayerNorm(d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation="gelu",
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.pool = nn.Linear(d, d)

    def forward(self, ids, mask):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.norm(self.tokens(ids) + self.positions(positions))
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        return torch.tanh(self.pool(x[:, 0]))


def examples():
    """name: (model, example inputs)."""
    torch.manual_seed(0)
    ids = torch.randint(0, 100, (2, 16))
    mask = torch.ones(2, 16, dtype=torch.int64)
    mask[1, 10:] = 0
    return {
        "resnet50": (ResNet50(), (torch.randn(1, 3, 64, 64),)),
        "mobilenet_v2": (MobileNetV2(), (torch.randn(1, 3, 64, 64),)),
        "densenet_blocks": (DenseBlocks(), (torch.randn(1, 3, 32, 32),)),
        "inception_block": (InceptionBlock(), (torch.randn(1, 32, 16, 16),)),
        "bert_encoder": (BertEncoder(), (ids, mask)),
    }
