"""contrastive-gs: recover diffusivity scaling laws in polymers from contrastive (pairwise) data."""

__version__ = "0.1.0"
