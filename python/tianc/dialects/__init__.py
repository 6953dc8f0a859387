"""MLIR dialects defined by tianc. ``tianc.dialects.tian`` holds the op builders."""
