"""Case metadata: number, court, parties, status, officer and dates."""
