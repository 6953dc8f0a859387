"""tianc.nn: layers as Modules holding Parameters, PyTorch-style."""

from .module import Module, ModuleList, Parameter, Sequential
from .layers import (GELU, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d,
                     BCEWithLogitsLoss, Conv1d, Conv2d, ConvTranspose2d, CrossEntropyLoss,
                     Dropout, Embedding, Flatten, GroupNorm, Identity, LayerNorm, LeakyReLU,
                     Linear, LogSoftmax,
                     MaxPool1d, MaxPool2d, Mish, MSELoss, MultiheadAttention, ReLU, RMSNorm,
                     Sigmoid, SiLU, Softmax, Softplus, Tanh, Upsample)
from . import init, utils

__all__ = ["Module", "ModuleList", "Parameter", "Sequential", "GELU", "AdaptiveAvgPool2d",
           "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "BCEWithLogitsLoss", "Conv1d", "Conv2d",
           "ConvTranspose2d", "CrossEntropyLoss", "Dropout", "Embedding", "Flatten", "GroupNorm",
           "Identity",
           "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MaxPool1d", "MaxPool2d", "Mish",
           "MSELoss", "MultiheadAttention", "ReLU", "RMSNorm", "Sigmoid", "SiLU", "Softmax",
           "Softplus", "Tanh", "Upsample", "init", "utils"]
