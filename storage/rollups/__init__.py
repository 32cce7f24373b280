"""Aggregates kept in step with the rows they count: leads per UTC day (`leadday`), each customer's
first won deal (`customers`) and each lead's first meeting and sale (`reach`). They follow every ORM
write through mapper listeners and the bulk import through its writer, on the connection those already
hold; a service recounts them with storage.repos.rollups.recount."""
