"""Arabic text utilities shared by every stage (pure Python, no Spark)."""
