"""Sample data: the demo account (demo), and users with tasks by the million (bulk)."""
