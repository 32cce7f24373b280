"""Aggregates kept in step with the rows they count: leads per UTC day and owner (`leadday`), each
customer's first won deal (`customers`), each lead's first meeting and sale (`reach`) and the margins
per product (`margins`). They follow every ORM write through mapper listeners and the bulk import
through its writer, on the connection those already hold; a service recounts them with
storage.repos.rollups.recount."""
