"""A small progress bar for loops (training epochs, long compiles)."""

import sys
import time


class Progress:
    """``for x in Progress(items, "epoch 1"): ...; bar.set(loss=0.3)``.

    Redraws in place on a terminal; elsewhere prints one line at the end."""

    def __init__(self, items, description="", width=24, stream=None):
        self.items, self.description, self.width = items, description, width
        self.stream = stream or sys.stderr
        self.values = {}
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def set(self, **values):
        self.values.update(values)

    def _line(self, done, total, elapsed):
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        extra = " ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in self.values.items())
        return f"{self.description} [{bar}] {done}/{total} {elapsed:.1f}s {extra}"

    def __iter__(self):
        total = len(self.items)
        start = time.perf_counter()
        for done, item in enumerate(self.items, 1):
            yield item
            if self.tty:
                self.stream.write("\r" + self._line(done, total, time.perf_counter() - start))
                self.stream.flush()
        end = self._line(total, total, time.perf_counter() - start)
        self.stream.write(("\r" if self.tty else "") + end + "\n")
        self.stream.flush()
