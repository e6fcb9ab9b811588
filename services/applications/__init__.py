"""Applications from the applicant's side: drafts, pre-check, uploads, submission, queries, progress."""
