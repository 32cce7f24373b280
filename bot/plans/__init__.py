"""Plans: setting a month's plan (the /plan modal, the CLI, CSV import) and what sales' goal needs of marketing."""
