"""What the catalogue requires of an application (typed answers, materials) and what it still lacks.

Below the workflow, whose guards ask it, and the applicant's use cases, which ask it too.
"""
