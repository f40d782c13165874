"""Reading plan documents: files (.txt/.docx/.xlsx) to text and tables, numbered items, units,
deadlines and targets, and the import review. The only part of plans/ that reads .docx/.xlsx.
"""
