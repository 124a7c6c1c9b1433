"""The contractor's side of cases: their list, the case page, answering, appealing, the file."""
