"""Scrapers: they fetch public sources politely, parse them with pure functions, and queue what
they find as proposals for curators. A scraper never publishes anything."""
