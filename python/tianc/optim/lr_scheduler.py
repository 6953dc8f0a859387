"""Learning-rate schedules: they set each param group's lr, a tensor a
compiled step reads, from that group's first lr."""

import math


class _Scheduler:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.base_lr = self.base_lrs[0]
        self.epoch = 0

    def step(self):
        self.epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(self.epoch, base)

    def get_last_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """The epoch and each group's first lr: with the optimizer's own
        state_dict, what resuming a schedule needs."""
        return {"last_epoch": self.epoch, "base_lrs": [*self.base_lrs]}

    def load_state_dict(self, state):
        self.epoch, self.base_lrs = int(state["last_epoch"]), [*state["base_lrs"]]
        self.base_lr = self.base_lrs[0]


class StepLR(_Scheduler):
    def __init__(self, optimizer, step_size, gamma=0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, epoch, base):
        return base * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(_Scheduler):
    def __init__(self, optimizer, T_max, eta_min=0.0):
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self, epoch, base):
        return self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
