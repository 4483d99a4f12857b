"""Services: the only place that joins forms, fraud and the database."""
