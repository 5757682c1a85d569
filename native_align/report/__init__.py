"""Statistics, evaluation, HTML report and training-mix export."""
