"""Features of a response batch, each with a name, a family, a direction and human descriptions."""

from fraud.features.base import Feature, FeatureMatrix
from fraud.features.extract import FeatureParams, extract_features

__all__ = ["Feature", "FeatureMatrix", "FeatureParams", "extract_features"]
