"""Litigation management (issue 12): hearings and the cause list, deadlines, limitation rules, reminders and the
calendar feed (decision 0022)."""
