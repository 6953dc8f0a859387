"""tianc.nn: layers as Modules holding Parameters, PyTorch-style."""

from .module import Module, ModuleList, Parameter, Sequential
from .layers import (GELU, AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, Dropout, Embedding,
                     Flatten, Identity, LayerNorm, Linear, MaxPool2d, MultiheadAttention, ReLU,
                     Sigmoid, Tanh)
from . import init

__all__ = ["Module", "ModuleList", "Parameter", "Sequential", "GELU", "AdaptiveAvgPool2d",
           "AvgPool2d", "BatchNorm2d", "Conv2d", "Dropout", "Embedding", "Flatten", "Identity",
           "LayerNorm", "Linear", "MaxPool2d", "MultiheadAttention", "ReLU", "Sigmoid", "Tanh",
           "init"]
