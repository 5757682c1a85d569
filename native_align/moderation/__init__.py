"""Moderation scorers (lexicon, trained classifier, API) behind one interface; see docs/moderation.md."""
