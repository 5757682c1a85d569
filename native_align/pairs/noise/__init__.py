"""The web-noise model: one defect family per module, composed by ``model.NoiseModel``. No imports here."""
