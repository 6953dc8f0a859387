"""The benchmark models, written once for tianc and once for torch with the
same parameter names, so one state dict loads into both."""

import numpy as np
import torch

from tianc import functional as F
from tianc import nn


# ---------------------------------------------------------------- W1 / T1: MLP
def mlp_tianc():
    return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 10))


def mlp_torch():
    return torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                               torch.nn.ReLU(), torch.nn.Linear(1024, 10))


# ---------------------------------------------------------------- W4: ResNet-18
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        widths = [64, 128, 256, 512]
        cin = 64
        for index, width in enumerate(widths):
            stride = 1 if index == 0 else 2
            setattr(self, f"layer{index + 1}", nn.Sequential(BasicBlock(cin, width, stride),
                                                             BasicBlock(width, width, 1)))
            cin = width
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for index in range(4):
            x = getattr(self, f"layer{index + 1}")(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class TorchBasicBlock(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.downsample = (torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride, bias=False),
                                               torch.nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class TorchResNet18(torch.nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(64)
        cin = 64
        for index, width in enumerate([64, 128, 256, 512]):
            stride = 1 if index == 0 else 2
            setattr(self, f"layer{index + 1}", torch.nn.Sequential(TorchBasicBlock(cin, width, stride),
                                                                   TorchBasicBlock(width, width, 1)))
            cin = width
        self.fc = torch.nn.Linear(512, classes)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for index in range(4):
            x = getattr(self, f"layer{index + 1}")(x)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------- W5: transformer block
class EncoderBlock(nn.Module):
    """Pre-LayerNorm encoder block with tanh-GELU feed-forward."""

    def __init__(self, d=256, heads=4, ffn=1024):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads)
        self.fc1, self.fc2 = nn.Linear(d, ffn), nn.Linear(ffn, d)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x)), "tanh"))


class TorchEncoderBlock(torch.nn.Module):
    def __init__(self, d=256, heads=4, ffn=1024):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.q_proj, self.k_proj = torch.nn.Linear(d, d), torch.nn.Linear(d, d)
        self.v_proj, self.out_proj = torch.nn.Linear(d, d), torch.nn.Linear(d, d)
        self.fc1, self.fc2 = torch.nn.Linear(d, ffn), torch.nn.Linear(ffn, d)

    def forward(self, x):
        b, s, d = x.shape
        h = self.norm1(x)
        q, k, v = (p(h).reshape(b, s, self.heads, d // self.heads).transpose(1, 2)
                   for p in (self.q_proj, self.k_proj, self.v_proj))
        attn = torch.softmax(q @ k.transpose(-2, -1) / np.sqrt(d // self.heads), -1) @ v
        x = x + self.out_proj(attn.transpose(1, 2).reshape(b, s, d))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x)), approximate="tanh"))


def torch_state_for_tianc_encoder(state):
    """Renames the torch encoder's keys to tianc's (attention under attn.*)."""
    renamed = {}
    for key, value in state.items():
        head = key.split(".")[0]
        renamed[f"attn.{key}" if head in ("q_proj", "k_proj", "v_proj", "out_proj") else key] = value
    return renamed


def load_from_torch(tianc_module, torch_module, rename=lambda s: s):
    tianc_module.load_state_dict(rename({k: v.detach().numpy() for k, v in torch_module.state_dict().items()
                                         if not k.endswith("num_batches_tracked")}))
    return tianc_module


def randomize_batchnorm(torch_module, seed=0):
    """Non-trivial running statistics, so inference BN is really exercised."""
    gen = torch.Generator().manual_seed(seed)
    for m in torch_module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
    return torch_module



def seeded_torch_resnet18(seed=0):
    """W4's PyTorch model with the same weights in every process (the
    bench's second process compiles the same constants and finds them in
    the cache)."""
    torch.manual_seed(seed)
    return randomize_batchnorm(TorchResNet18(), seed).eval()
