"""Cases: linking the articles that report one real-world incident (a cross-article step)."""
