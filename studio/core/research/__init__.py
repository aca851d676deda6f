"""Brand research: crawling a brand's site, importing its documents, the knowledge base
they make, and the comparisons drawn from it (competitors, palettes, trends)."""
