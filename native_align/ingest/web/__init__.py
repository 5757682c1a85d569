"""Web input (WARC / WET): records, charsets, main-text extraction and URL filtering, in plain Python."""
