"""Fraud and carelessness detection for survey responses (pure library: numpy, scikit-learn, stdlib)."""
