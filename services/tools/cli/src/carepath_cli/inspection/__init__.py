"""Reading Carepath's topics for people: one patient's timeline, dead letters and replays."""
