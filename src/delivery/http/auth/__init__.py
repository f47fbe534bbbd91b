"""Who is calling: bearer-token authentication and the staff check, for every HTTP controller."""
